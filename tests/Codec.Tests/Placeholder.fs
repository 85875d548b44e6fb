module VqVae.Codec.Codec.Tests.Placeholder
