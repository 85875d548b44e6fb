namespace VqVae.Codec.Models.Files;

/// <summary>A model file is malformed, truncated, corrupt (digest mismatch) or of the wrong kind.</summary>
public sealed class ModelFileException(string path, long offset, string field, string reason)
    : Exception($"{path}: {reason} (field {field}, byte offset {offset})")
{
    /// <summary>The file at fault.</summary>
    public string Path { get; } = path;

    /// <summary>Byte offset of the fault in the file.</summary>
    public long Offset { get; } = offset;

    /// <summary>The field at fault, e.g. "header.json" or "tensor[3].shape".</summary>
    public string Field { get; } = field;

    /// <summary>Why the file was rejected.</summary>
    public string Reason { get; } = reason;
}
