namespace VqVae.Codec.Models.Files;

/// <summary>An output cannot be written where it was asked: it exists (and replacing was not allowed), it is
/// not a regular file, or the file system refused. The message names the output, never a temporary file.</summary>
public sealed class OutputFileException(string path, string reason, Exception? inner = null)
    : Exception($"{path}: {reason}", inner)
{
    /// <summary>The output at fault.</summary>
    public string Path { get; } = path;

    /// <summary>Why it was not written.</summary>
    public string Reason { get; } = reason;
}
