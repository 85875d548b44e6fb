namespace VqVae.Codec.Models.Data;

/// <summary>An image file could not be decoded, or is of a kind the codec does not take.</summary>
public sealed class ImageDecodeException(string source, string reason, Exception? inner = null)
    : Exception($"{source}: {reason}", inner)
{
    /// <summary>File or archive entry at fault.</summary>
    public string Origin { get; } = source;

    /// <summary>What is wrong with it.</summary>
    public string Reason { get; } = reason;
}
