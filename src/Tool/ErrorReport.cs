using System.Text;
using VqVae.Codec.Format;
using VqVae.Codec.Models.Data;
using VqVae.Codec.Models.Files;

namespace VqVae.Codec.Tool;

/// <summary>Maps an exception to an exit code and a one-sentence message.</summary>
internal static class ErrorReport
{
    public static (int Code, string Message) Classify(Exception e)
    {
        var (code, message) = e switch
        {
            OperationCanceledException => (ExitCodes.Cancelled, "cancelled."),
            UsageException or Models.InvalidOptionsException => (ExitCodes.Usage, e.Message),
            OutputFileException => (ExitCodes.OutputError, e.Message),
            ModelFileException => (ExitCodes.MissingModel, e.Message),
            Pipeline.PresetsFileException => (ExitCodes.MissingModel, e.Message),
            ImageDecodeException => (ExitCodes.BadInput, e.Message),
            InputFileException => (ExitCodes.BadInput, e.Message),
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
        return (code, Printable(message));
    }

    /// <summary>Text safe for a terminal: control characters (a NUL in a file name or a hostile file's text) as \xNN.</summary>
    public static string Printable(string text)
    {
        if (!text.Any(char.IsControl)) return text;
        var b = new StringBuilder(text.Length + 8);
        foreach (var c in text) b.Append(char.IsControl(c) ? $"\\x{(int)c:x2}" : c);
        return b.ToString();
    }
}
