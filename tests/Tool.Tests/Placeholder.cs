namespace VqVae.Codec.Tool.Tests; internal static class Placeholder { }
