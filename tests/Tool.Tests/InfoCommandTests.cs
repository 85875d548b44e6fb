using System.Runtime.CompilerServices;
using System.Text.Json;

namespace VqVae.Codec.Tool.Tests;

public sealed class InfoCommandTests
{
    private static string Golden(string name, [CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "data", "golden", name));

    private static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await ToolHost.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Json_output_is_the_golden_header_snapshot()
    {
        var (code, output, _) = await Run("info", "--json", Golden("unigram-rgb-293x181-tiles8.vqz"));
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(File.ReadAllText(Golden("unigram-rgb-293x181-tiles8.json")), output);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(37, json.RootElement.GetProperty("latentWidth").GetInt32());
    }

    [Fact]
    public async Task Table_output_names_the_fields_chunks_and_models_tag()
    {
        var (code, output, _) = await Run("info", Golden("uniform-gray-37x23-embedded.vqz"));
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("modelsTag", output);
        Assert.Contains("521dd02e", output);
        Assert.Contains("embedded-models", output);
        Assert.Contains("role=prior", output);
    }

    [Fact]
    public async Task A_truncated_file_exits_with_bad_input_and_names_the_offset()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vqz-info-{Guid.NewGuid():N}.vqz");
        File.WriteAllBytes(path, File.ReadAllBytes(Golden("uniform-gray-32x32.vqz"))[..40]);
        try
        {
            var (code, _, error) = await Run("info", path);
            Assert.Equal(ExitCodes.BadInput, code);
            Assert.Contains("checksum at byte 36", error);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
