using System.CommandLine;

namespace VqVae.Codec.Tool;

/// <summary>Runs the parsed command and maps exceptions to one-sentence errors and exit codes.</summary>
internal static class ToolHost
{
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        bool verbose = parse.GetValue(CommonOptions.Verbose);
        try
        {
            return await parse.InvokeAsync();
        }
        catch (Exception e)
        {
            var (code, message) = ErrorReport.Classify(e);
            Console.Error.WriteLine($"vqz: {message}");
            if (verbose) Console.Error.WriteLine(e);
            return code;
        }
    }
}
