namespace VqVae.Codec.Tool.Tests;

/// <summary>Runs vqz in-process, as a user's command line would, and captures its exit code and both streams.</summary>
internal static class ToolRun
{
    public static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        int code = await ToolHost.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
