namespace VqVae.Codec.Models;

/// <summary>An options record holds a value outside its documented range (a usage error, not a bug).</summary>
public sealed class InvalidOptionsException(string message) : ArgumentException(message);
