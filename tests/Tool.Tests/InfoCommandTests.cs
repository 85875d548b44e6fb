using System.CommandLine;
using System.Runtime.CompilerServices;
using System.Text.Json;
using VqVae.Codec.Format;
using VqVae.Codec.Tool.Commands;

namespace VqVae.Codec.Tool.Tests;

public sealed class InfoCommandTests
{
    private static string Golden(string name, [CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "data", "golden", name));

    private static (int Code, string Output) Run(params string[] args)
    {
        var output = new StringWriter();
        var root = new RootCommand { InfoCommand.Create() };
        var code = root.Parse(args).Invoke(new InvocationConfiguration
        {
            Output = output, Error = output, EnableDefaultExceptionHandler = false,
        });
        return (code, output.ToString());
    }

    [Fact]
    public void Json_output_is_the_golden_header_snapshot()
    {
        var (code, output) = Run("info", "--json", Golden("unigram-rgb-293x181-tiles8.vqz"));
        Assert.Equal(0, code);
        Assert.Equal(File.ReadAllText(Golden("unigram-rgb-293x181-tiles8.json")), output);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(37, json.RootElement.GetProperty("latentWidth").GetInt32());
    }

    [Fact]
    public void Table_output_names_the_fields_chunks_and_models_tag()
    {
        var (code, output) = Run("info", Golden("uniform-gray-37x23-embedded.vqz"));
        Assert.Equal(0, code);
        Assert.Contains("modelsTag", output);
        Assert.Contains("521dd02e", output);
        Assert.Contains("embedded-models", output);
        Assert.Contains("role=prior", output);
    }

    [Fact]
    public void A_truncated_file_raises_the_format_exception_with_its_offset()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vqz-info-{Guid.NewGuid():N}.vqz");
        File.WriteAllBytes(path, File.ReadAllBytes(Golden("uniform-gray-32x32.vqz"))[..40]);
        try
        {
            var e = Assert.Throws<VqzFormatException>(() => Run("info", path));
            Assert.Equal(VqzErrorKind.ChecksumMismatch, e.Kind);
            Assert.Equal(36, e.Offset);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
