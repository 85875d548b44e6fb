using System.Runtime.CompilerServices;
using VqVae.Codec.Format;

namespace VqVae.Codec.Tool.Tests;

/// <summary>
/// Files with code levels (a LEVELS chunk, spec/vqz.md §4.6) through vqz: coded with the golden levels models
/// (tests/data/golden: tiny-levels.vqm, its gated prior and its level prior tiny-levels.vql), decoded by
/// <c>vqz decompress</c>, whose <c>--codes</c> writes one grid per level.
/// </summary>
[Collection("codec")]
public sealed class LevelsCommandTests(CodecFixture f)
{
    private static string RepoDirectory([CallerFilePath] string here = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", ".."));

    private static string Golden => Path.Combine(RepoDirectory(), "tests", "data", "golden");

    /// <summary>A committed sample, 256 x 192: a 48 x 64 grid per level, large enough for libtorch to split its convolutions.</summary>
    private static string Sample => Path.Combine(RepoDirectory(), "samples", "bsds-100007-256x192.png");

    private static string[] Models(int levels) =>
        ["--model-dir", Golden, "--model", "tiny-levels", "--prior", "tiny-levels-gated-pixelcnn", "--level-prior", "tiny-levels-level-prior",
            "--levels", levels.ToString(), "--tile", "8"];

    private static void CheckGrid(string text, int height, int width, int codebook)
    {
        var lines = text.Split('\n');
        Assert.Equal($"{height} {width}", lines[0]);
        Assert.Equal(height + 2, lines.Length);                                            // every line ends with LF (spec/vqz.md §12)
        Assert.Equal("", lines[^1]);
        foreach (var row in lines[1..^1])
        {
            var codes = row.Split(' ').Select(int.Parse).ToArray();
            Assert.Equal(width, codes.Length);
            Assert.All(codes, c => Assert.InRange(c, 0, codebook - 1));
        }
    }

    [Fact]
    public async Task Decompress_of_a_three_level_file_writes_the_image_and_a_grid_per_level()
    {
        var dir = f.NewDir("levels-decompress");
        var three = Path.Combine(dir, "three.vqz");
        var one = Path.Combine(dir, "one.vqz");
        var (code, _, error) = await f.Run(["compress", Sample, "-o", three, .. Models(3)]);
        Assert.True(code == ExitCodes.Ok, error);
        (code, _, error) = await f.Run(["compress", Sample, "-o", one, .. Models(1)]);
        Assert.True(code == ExitCodes.Ok, error);

        var png = Path.Combine(dir, "three.png");
        (code, _, error) = await f.Run("decompress", three, "-o", png, "--model-dir", Golden, "--codes");
        Assert.True(code == ExitCodes.Ok, error);
        Assert.True(File.Exists(png));
        Assert.False(File.Exists(png + ".codes.txt"), "a file with levels writes a grid per level, not <output>.codes.txt");
        foreach (var (level, codebook) in new[] { (1, 32), (2, 16), (3, 12) })
            CheckGrid(File.ReadAllText(png + $".codes.level{level}.txt"), 48, 64, codebook);
        Assert.False(File.Exists(png + ".codes.level4.txt"));

        // A one-level file keeps <output>.codes.txt; its grid is level 1 of the three-level file (levels are prefixes).
        var onePng = Path.Combine(dir, "one.png");
        (code, _, error) = await f.Run("decompress", one, "-o", onePng, "--model-dir", Golden, "--codes");
        Assert.True(code == ExitCodes.Ok, error);
        Assert.False(File.Exists(onePng + ".codes.level1.txt"));
        Assert.Equal(File.ReadAllText(png + ".codes.level1.txt"), File.ReadAllText(onePng + ".codes.txt"));
        // More levels, a better image: the three-level file is larger.
        Assert.True(new FileInfo(three).Length > new FileInfo(one).Length);

        // Several files go through the batched path: the same outputs.
        var batch = f.NewDir("levels-decompress-batch");
        (code, _, error) = await f.Run("decompress", three, one, "-o", batch, "--model-dir", Golden, "--codes");
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Equal(File.ReadAllBytes(png), File.ReadAllBytes(Path.Combine(batch, "three.png")));
        for (int level = 1; level <= 3; level++)
            Assert.Equal(File.ReadAllText(png + $".codes.level{level}.txt"), File.ReadAllText(Path.Combine(batch, $"three.png.codes.level{level}.txt")));
        Assert.Equal(File.ReadAllText(onePng + ".codes.txt"), File.ReadAllText(Path.Combine(batch, "one.png.codes.txt")));
    }

    [Fact]
    public async Task Rate_lambda_chooses_codes_the_decoder_reads_as_any_others_and_is_refused_out_of_range()
    {
        var dir = f.NewDir("levels-rate-lambda");
        var nearest = Path.Combine(dir, "nearest.vqz");
        var chosen = Path.Combine(dir, "chosen.vqz");
        var (code, _, error) = await f.Run(["compress", Sample, "-o", nearest, .. Models(3)]);
        Assert.True(code == ExitCodes.Ok, error);
        (code, _, error) = await f.Run(["compress", Sample, "-o", chosen, "--rate-lambda", "2", .. Models(3)]);
        Assert.True(code == ExitCodes.Ok, error);                                   // compress verifies: the file decodes to the chosen codes
        Assert.NotEqual(File.ReadAllBytes(nearest), File.ReadAllBytes(chosen));
        (code, _, error) = await f.Run("decompress", chosen, "-o", Path.Combine(dir, "chosen.png"), "--model-dir", Golden);
        Assert.True(code == ExitCodes.Ok, error);

        foreach (var bad in new[] { "-1", "101", "NaN" })
        {
            (code, _, error) = await f.Run(["compress", Sample, "-o", Path.Combine(dir, "bad.vqz"), "--rate-lambda", bad, .. Models(3)]);
            Assert.Equal(ExitCodes.Usage, code);
            Assert.Contains("--rate-lambda", error);
        }
        Assert.False(File.Exists(Path.Combine(dir, "bad.vqz")));
    }

    /// <summary>
    /// A three-level file is bit-exact across thread counts and processes: `vqz compress` of the sample in separate
    /// processes at --threads 1, 2 and 4 (the level-1 prior and the level prior split their work by threads) writes
    /// the bytes this process writes, and `vqz decompress` of it in separate processes at 1, 2 and 4 threads writes
    /// one PNG and one grid per level.
    /// </summary>
    [Fact]
    public async Task Three_level_files_are_the_same_bytes_and_decode_the_same_at_1_2_and_4_threads_in_separate_processes()
    {
        var dir = f.NewDir("levels-threads");
        var reference = Path.Combine(dir, "reference.vqz");
        var (code, _, error) = await f.Run(["compress", Sample, "-o", reference, .. Models(3)]);
        Assert.True(code == ExitCodes.Ok, error);
        var expected = File.ReadAllBytes(reference);
        Assert.Equal(3, VqzLevels.count(Vqz.read(VqzReaderOptions.Default, expected)));

        int[] threads = [1, 2, 4];
        string Output(int t, string extension) => Path.Combine(dir, $"threads{t}{extension}");
        Parallel.ForEach(threads, new ParallelOptions { MaxDegreeOfParallelism = 2 }, t =>
        {
            var (c, _, e) = f.RunProcess(["compress", Sample, "-o", Output(t, ".vqz"), .. Models(3), "--threads", t.ToString()]);
            Assert.True(c == ExitCodes.Ok, $"compress --threads {t}: exit {c}: {e}");
            (c, _, e) = f.RunProcess("decompress", reference, "-o", Output(t, ".png"), "--model-dir", Golden, "--codes", "--threads", t.ToString());
            Assert.True(c == ExitCodes.Ok, $"decompress --threads {t}: exit {c}: {e}");
        });

        foreach (var t in threads)
        {
            Assert.True(expected.AsSpan().SequenceEqual(File.ReadAllBytes(Output(t, ".vqz"))), $"compress --threads {t} wrote another file");
            Assert.True(File.ReadAllBytes(Output(1, ".png")).AsSpan().SequenceEqual(File.ReadAllBytes(Output(t, ".png"))), $"decompress --threads {t} wrote another PNG");
            for (int level = 1; level <= 3; level++)
                Assert.Equal(File.ReadAllText(Output(1, ".png") + $".codes.level{level}.txt"), File.ReadAllText(Output(t, ".png") + $".codes.level{level}.txt"));
        }
    }

    [Fact]
    public async Task Roundtrip_with_a_preset_of_three_levels_checks_every_level_and_decompress_reads_the_file()
    {
        var dir = f.NewDir("levels-roundtrip");
        var models = Directory.CreateDirectory(Path.Combine(dir, "models")).FullName;
        foreach (var name in new[] { "tiny-levels.vqm", "tiny-levels-gated.vqp", "tiny-levels.vql" })
            File.Copy(Path.Combine(Golden, name), Path.Combine(models, name));
        File.WriteAllText(Path.Combine(models, "presets.json"),
            """{ "presets": [ { "quality": "max", "vqvae": "tiny-levels", "prior": "tiny-levels-gated-pixelcnn", "tileSide": 8, "levels": 3, "levelPrior": "tiny-levels-level-prior" } ] }""");
        var output = Path.Combine(dir, "out");
        var (code, text, error) = await f.Run("roundtrip", Sample, "-q", "max", "-o", output, "--model-dir", models);
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains("yes", text.Split('\n').Single(line => line.Contains("codes decoded exactly")));
        var vqz = Path.Combine(output, "bsds-100007-256x192.vqz");
        Assert.Equal(3, VqzLevels.count(Vqz.read(VqzReaderOptions.Default, File.ReadAllBytes(vqz))));
        var png = Path.Combine(dir, "x.png");
        (code, _, error) = await f.Run("decompress", vqz, "-o", png, "--model-dir", models);
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Equal(File.ReadAllBytes(Path.Combine(output, "bsds-100007-256x192.decoded.png")), File.ReadAllBytes(png));
    }
}
