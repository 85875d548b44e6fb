namespace VqVae.Codec.Tool;

/// <summary>The command line asks for something that cannot be done (reported with exit code 2).</summary>
internal sealed class UsageException(string message) : Exception(message);


/// <summary>An input cannot be read as one: not a regular file, or larger than the limit (exit code 3).</summary>
internal sealed class InputFileException(string path, string reason) : Exception($"{path}: {reason}")
{
    public string Path { get; } = path;
}
