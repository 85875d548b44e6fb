using System.CommandLine;
using Spectre.Console;

namespace VqVae.Codec.Tool.Terminal;

/// <summary>The output of one command invocation: Spectre.Console on the invocation's writers (testable).</summary>
internal sealed class ToolConsole
{
    private ToolConsole(TextWriter output, TextWriter error, bool interactive)
    {
        Out = output;
        Error = error;
        Interactive = interactive;
        Ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
    }

    /// <summary>Plain standard output.</summary>
    public TextWriter Out { get; }

    /// <summary>Plain standard error.</summary>
    public TextWriter Error { get; }

    /// <summary>Rich output (tables, progress bars).</summary>
    public IAnsiConsole Ansi { get; }

    /// <summary>Whether output goes to a terminal (live progress bars) rather than a file or pipe (plain lines).</summary>
    public bool Interactive { get; }

    /// <summary>The console of a parsed invocation.</summary>
    public static ToolConsole For(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        bool interactive = ReferenceEquals(output, System.Console.Out) && !System.Console.IsOutputRedirected;
        return new ToolConsole(output, error, interactive);
    }

    /// <summary>Reports one file's failure; with --verbose also its stack trace.</summary>
    public void FileError(string input, string message, Exception? failure, ParseResult parse)
    {
        // Most messages name the file already (ImageDecodeException, VqzFormatException does not).
        var printable = ErrorReport.Printable(input);
        Error.WriteLine(message.StartsWith(printable + ":", StringComparison.Ordinal) ? $"vqz: {message}" : $"vqz: {printable}: {message}");
        if (failure is not null && parse.GetValue(CommonOptions.Verbose)) Error.WriteLine(failure.ToString());
    }

    /// <summary>Writes a warning line to standard error.</summary>
    public void Warn(string message) => Error.WriteLine($"vqz: warning: {message}");
}
