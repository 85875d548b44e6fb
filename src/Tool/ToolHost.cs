using System.CommandLine;

namespace VqVae.Codec.Tool;

/// <summary>Parses, runs the command, and maps exceptions to one-sentence errors and exit codes.</summary>
internal static class ToolHost
{
    /// <summary>The root command with every subcommand.</summary>
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("vqz: a VQ-VAE image codec (compress, decompress, train, evaluate).");
        root.Options.Add(CommonOptions.Verbose);
        foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);
        return root;
    }

    /// <summary>
    /// Arguments of the command that look like options and name no file or folder: "--bogus" is taken as one more
    /// input by a command whose inputs are a list, which would make it "no such file" (exit 3) instead of an
    /// unknown option (exit 2). A file really named so can still be given as ./--bogus.
    /// </summary>
    private static IEnumerable<string> UnknownOptions(ParseResult parse) =>
        parse.CommandResult.Children.OfType<System.CommandLine.Parsing.ArgumentResult>()
            .SelectMany(a => a.Tokens)
            .Select(t => t.Value)
            .Where(v => v.Length > 1 && v[0] == '-' && !char.IsAsciiDigit(v[1]) && !File.Exists(v) && !Directory.Exists(v))
            .Select(v => $"unknown option '{v}'");

    /// <summary>Runs vqz with <paramref name="args"/>; output and error default to the console.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancel = default)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        var parse = CreateRoot().Parse(args);
        var errors = parse.Errors.Select(e => e.Message).Concat(UnknownOptions(parse)).ToList();
        if (errors.Count > 0)
        {
            foreach (var e in errors) await error.WriteLineAsync($"vqz: {ErrorReport.Printable(e)}");
            await error.WriteLineAsync("Run 'vqz --help' for usage.");
            return ExitCodes.Usage;
        }
        bool verbose = parse.GetValue(CommonOptions.Verbose);
        try
        {
            var config = new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                Output = output,
                Error = error,
                // Ctrl-C and SIGTERM cancel the command; training then writes a checkpoint, which can take
                // a training step or two on a busy machine, so wait for it instead of the default 2 s.
                ProcessTerminationTimeout = TimeSpan.FromMinutes(2),
            };
            return await parse.InvokeAsync(config, cancel);
        }
        catch (Exception e)
        {
            var (code, message) = ErrorReport.Classify(e);
            await error.WriteLineAsync($"vqz: {message}");
            if (verbose) await error.WriteLineAsync(e.ToString());
            return code;
        }
    }
}
