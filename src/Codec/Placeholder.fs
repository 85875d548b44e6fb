namespace VqVae.Codec
