namespace VqVae.Codec.Tool;

/// <summary>Maps an exception to an exit code and a one-sentence message.</summary>
internal static class ErrorReport
{
    public static (int Code, string Message) Classify(Exception e) => e switch
    {
        OperationCanceledException => (ExitCodes.Cancelled, "cancelled."),
        FileNotFoundException f => (ExitCodes.BadInput, f.Message),
        DirectoryNotFoundException d => (ExitCodes.BadInput, d.Message),
        _ => (ExitCodes.InternalError, $"internal error: {e.Message} (run with --verbose for details)"),
    };
}
