namespace VqVae.Codec.Tool;

/// <summary>Documented exit codes of vqz (README, "Exit codes").</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Bad command line: unknown option, missing argument, invalid value.</summary>
    public const int Usage = 2;
    /// <summary>An input file is malformed, truncated, corrupt or unsupported.</summary>
    public const int BadInput = 3;
    /// <summary>A model named by a file or option cannot be found, or its digest does not match.</summary>
    public const int MissingModel = 4;
    /// <summary>An output exists and --force was not given, or it cannot be written.</summary>
    public const int OutputError = 5;
    /// <summary>The run was cancelled (Ctrl-C).</summary>
    public const int Cancelled = 130;
    /// <summary>A bug: an exception that none of the above explains.</summary>
    public const int InternalError = 70;
}
