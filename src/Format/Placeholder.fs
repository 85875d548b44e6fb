namespace VqVae.Codec.Format
