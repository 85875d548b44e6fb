using System.Diagnostics;
using Xunit.Abstractions;
using VqVae.Codec.Models.Data;

namespace VqVae.Codec.Tool.Tests;

/// <summary>
/// Decoding and encoding are bit-exact across processes: 20 separate `dotnet vqz.dll` processes
/// (two tests of 10, to keep each under half a minute), alternating 1 and 2 threads (prior evaluator
/// and TorchSharp), two at a time, each give byte for byte what vqz gives in this process. The image
/// is large enough (160 x 120) for libtorch to split its convolutions.
/// </summary>
[Collection("codec")]
public sealed class BitExactProcessTests(CodecFixture f, ITestOutputHelper output)
{
    private const int RunsPerTest = 10;

    private string BigImage()
    {
        var path = Path.Combine(f.Root, "big.png");
        lock (f)
            if (!File.Exists(path)) File.WriteAllBytes(path, ImageCodecs.EncodePng(CodecFixture.Gradient(160, 120)));
        return path;
    }

    /// <summary>Runs `vqz args(i)` for i = first .. first + RunsPerTest - 1, two processes at a time.</summary>
    private void RunAll(int first, Func<int, string[]> args)
    {
        var clock = Stopwatch.StartNew();
        Parallel.For(first, first + RunsPerTest, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            var (code, _, error) = f.RunProcess(args(i));
            Assert.True(code == ExitCodes.Ok, $"run {i}: exit {code}: {error}");
        });
        output.WriteLine($"{RunsPerTest} processes in {clock.Elapsed.TotalSeconds:F1} s");
    }

    private static string Threads(int i) => (1 + i % 2).ToString();

    [Theory]
    [InlineData(0)]
    [InlineData(RunsPerTest)]
    public async Task Decompress_processes_with_1_and_2_threads_write_the_png_and_codes_of_this_process(int first)
    {
        var dir = f.NewDir($"bitexact-decompress-{first}");
        var vqz = Path.Combine(dir, "big.vqz");
        var reference = Path.Combine(dir, "reference.png");
        var (code, _, error) = await f.Run("compress", BigImage(), "-o", vqz, "--model-dir", f.ModelDir, "--no-verify");
        Assert.True(code == ExitCodes.Ok, error);
        (code, _, error) = await f.Run("decompress", vqz, "-o", reference, "--model-dir", f.ModelDir, "--codes");
        Assert.True(code == ExitCodes.Ok, error);
        string Png(int i) => Path.Combine(dir, $"run{i:D2}.png");

        RunAll(first, i => ["decompress", vqz, "-o", Png(i), "--model-dir", f.ModelDir, "--threads", Threads(i), "--codes"]);

        var png = File.ReadAllBytes(reference);
        var codes = File.ReadAllText(reference + ".codes.txt");
        var lines = codes.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("30 ", lines[0]);                                                 // "height width" (spec/vqz.md §12)
        Assert.Equal(1 + 30, lines.Length);                                                 // 120 / 4 rows
        for (int i = first; i < first + RunsPerTest; i++)
        {
            Assert.True(png.AsSpan().SequenceEqual(File.ReadAllBytes(Png(i))), $"run {i} ({Threads(i)} thread(s)) wrote another PNG");
            Assert.Equal(codes, File.ReadAllText(Png(i) + ".codes.txt"));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(RunsPerTest)]
    public async Task Compress_processes_with_1_and_2_threads_write_the_file_of_this_process(int first)
    {
        var dir = f.NewDir($"bitexact-compress-{first}");
        var reference = Path.Combine(dir, "reference.vqz");
        var (code, _, error) = await f.Run("compress", BigImage(), "-o", reference, "--model-dir", f.ModelDir, "--no-verify");
        Assert.True(code == ExitCodes.Ok, error);
        string Vqz(int i) => Path.Combine(dir, $"run{i:D2}.vqz");

        RunAll(first, i => ["compress", BigImage(), "-o", Vqz(i), "--model-dir", f.ModelDir, "--threads", Threads(i), "--no-verify"]);

        var expected = File.ReadAllBytes(reference);
        Assert.True(expected.Length > 100, $"{expected.Length} bytes is too small for a 160 x 120 image");
        for (int i = first; i < first + RunsPerTest; i++)
            Assert.True(expected.AsSpan().SequenceEqual(File.ReadAllBytes(Vqz(i))), $"run {i} ({Threads(i)} thread(s)) wrote another file");
    }
}
