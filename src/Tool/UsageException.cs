namespace VqVae.Codec.Tool;

/// <summary>The command line asks for something that cannot be done (reported with exit code 2).</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>An output exists and --force was not given, or it cannot be written (exit code 5).</summary>
internal sealed class OutputExistsException(string path)
    : Exception($"{path} exists; use --force to overwrite it")
{
    public string Path { get; } = path;
}
