using System.Runtime.CompilerServices;

namespace VqVae.Codec.Tool.Tests;

/// <summary>
/// vqz decodes the golden files with the golden folder as its model directory (tests/data/golden/README.md),
/// and <c>--codes</c> writes the grid format of spec/vqz.md §12, the format of the golden <c>*.grid.txt</c>.
/// </summary>
public sealed class GoldenDecodeTests
{
    /// <summary>The one golden file vqz must refuse: its embedded "models" are dummy texts, not model files.</summary>
    private const string ContainerOnly = "uniform-gray-37x23-embedded.vqz";

    private static string GoldenDirectory([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "data", "golden"));

    public static TheoryData<string> DecodableFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(GoldenDirectory(), "*.vqz").Select(Path.GetFileName).Order(StringComparer.Ordinal))
            if (file != ContainerOnly) data.Add(file!);
        return data;
    }

    [Theory, MemberData(nameof(DecodableFiles))]
    public async Task Decompress_with_the_golden_models_writes_the_golden_grid(string name)
    {
        var directory = Directory.CreateTempSubdirectory("vqz-golden-").FullName;
        try
        {
            var output = Path.Combine(directory, Path.ChangeExtension(name, ".png"));
            var (code, _, error) = await ToolRun.Run("decompress", Path.Combine(GoldenDirectory(), name), "-o", output,
                "--model-dir", GoldenDirectory(), "--codes", "--threads", "1");
            Assert.True(code == ExitCodes.Ok, error);
            // A file with code levels (LEVELS, spec/vqz.md §4.6) has a grid per level beside it: <name>.level<l>.grid.txt,
            // which --codes writes as <output>.codes.level<l>.txt; a file of one level has <name>.grid.txt and <output>.codes.txt.
            var stem = Path.GetFileNameWithoutExtension(name);
            int levels = Directory.GetFiles(GoldenDirectory(), stem + ".level*.grid.txt").Length;
            if (levels == 0)
                Assert.Equal(File.ReadAllText(Path.Combine(GoldenDirectory(), stem + ".grid.txt")), File.ReadAllText(output + ".codes.txt"));
            else
            {
                Assert.False(File.Exists(output + ".codes.txt"));
                for (int l = 1; l <= levels; l++)
                    Assert.Equal(File.ReadAllText(Path.Combine(GoldenDirectory(), $"{stem}.level{l}.grid.txt")), File.ReadAllText(output + $".codes.level{l}.txt"));
                Assert.False(File.Exists(output + $".codes.level{levels + 1}.txt"));
            }
            // Files of the tiny models decode to an image; those of a static model set to the grid alone.
            Assert.Equal(name.StartsWith("tiny-", StringComparison.Ordinal), File.Exists(output));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    public static TheoryData<string> AllFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(GoldenDirectory(), "*.vqz").Select(Path.GetFileName).Order(StringComparer.Ordinal)) data.Add(file!);
        return data;
    }

    [Theory, MemberData(nameof(AllFiles))]
    public async Task Info_json_prints_the_golden_description(string name)
    {
        var (code, output, error) = await ToolRun.Run("info", "--json", Path.Combine(GoldenDirectory(), name));
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Equal(File.ReadAllText(Path.Combine(GoldenDirectory(), Path.ChangeExtension(name, ".json"))), output);
    }

    [Fact]
    public async Task An_embedded_prior_decodes_with_only_the_autoencoder_installed()
    {
        var directory = Directory.CreateTempSubdirectory("vqz-golden-").FullName;
        try
        {
            var models = Directory.CreateDirectory(Path.Combine(directory, "models")).FullName;
            File.Copy(Path.Combine(GoldenDirectory(), "tiny-f4.vqm"), Path.Combine(models, "tiny-f4.vqm"));
            var output = Path.Combine(directory, "x.png");
            var (code, _, error) = await ToolRun.Run("decompress", Path.Combine(GoldenDirectory(), "tiny-uniform-rgb-16x16-embedded-prior.vqz"),
                "-o", output, "--model-dir", models, "--codes");
            Assert.True(code == ExitCodes.Ok, error);
            Assert.Equal(File.ReadAllText(Path.Combine(GoldenDirectory(), "tiny-uniform-rgb-16x16-embedded-prior.grid.txt")), File.ReadAllText(output + ".codes.txt"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_static_model_set_file_without_codes_is_a_usage_error_that_says_so()
    {
        var directory = Directory.CreateTempSubdirectory("vqz-golden-").FullName;
        try
        {
            var (code, _, error) = await ToolRun.Run("decompress", Path.Combine(GoldenDirectory(), "uniform-gray-32x32.vqz"),
                "-o", Path.Combine(directory, "x.png"), "--model-dir", GoldenDirectory());
            Assert.Equal(ExitCodes.Usage, code);
            Assert.Contains("static model set", error);
            Assert.Contains("--codes", error);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task The_container_only_golden_file_is_refused_at_its_embedded_model()
    {
        var directory = Directory.CreateTempSubdirectory("vqz-golden-").FullName;
        try
        {
            var (code, _, error) = await ToolRun.Run("decompress", Path.Combine(GoldenDirectory(), ContainerOnly),
                "-o", Path.Combine(directory, "x.png"), "--model-dir", GoldenDirectory(), "--codes");
            Assert.Equal(ExitCodes.BadInput, code);
            Assert.Contains("chunks[1].embeddedModels[0].data", error);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
