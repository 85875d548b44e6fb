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

    /// <summary>Runs vqz with <paramref name="args"/>; output and error default to the console.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancel = default)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        var parse = CreateRoot().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) await error.WriteLineAsync($"vqz: {e.Message}");
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
