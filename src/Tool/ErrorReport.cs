using VqVae.Codec.Format;
using VqVae.Codec.Models.Data;
using VqVae.Codec.Models.Files;

namespace VqVae.Codec.Tool;

/// <summary>Maps an exception to an exit code and a one-sentence message.</summary>
internal static class ErrorReport
{
    public static (int Code, string Message) Classify(Exception e) => e switch
    {
        OperationCanceledException => (ExitCodes.Cancelled, "cancelled."),
        UsageException or Models.InvalidOptionsException => (ExitCodes.Usage, e.Message),
        OutputExistsException => (ExitCodes.OutputError, e.Message),
        ModelFileException => (ExitCodes.MissingModel, e.Message),
        ImageDecodeException => (ExitCodes.BadInput, e.Message),
        Plotting.InputFormatException => (ExitCodes.BadInput, e.Message),
        Evaluation.ExternalToolException => (ExitCodes.BadInput, e.Message),
        VqzFormatException => (ExitCodes.BadInput, e.Message),
        Pipeline.VqzModelException => (ExitCodes.MissingModel, e.Message),
        Pipeline.UnsupportedImageException => (ExitCodes.BadInput, e.Message),
        NotSupportedException => (ExitCodes.Usage, e.Message),
        FileNotFoundException or DirectoryNotFoundException => (ExitCodes.BadInput, e.Message),
        UnauthorizedAccessException or IOException => (ExitCodes.OutputError, e.Message),
        _ => (ExitCodes.InternalError, $"internal error: {e.Message} (run with --verbose for details)"),
    };
}
