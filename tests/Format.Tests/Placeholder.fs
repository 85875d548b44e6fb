module VqVae.Codec.Format.Tests.Placeholder
