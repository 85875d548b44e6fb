using System.Globalization;
using VqVae.Codec.Tool.Commands;

namespace VqVae.Codec.Tool.Tests;

/// <summary>
/// The study tables of `vqz report` (experiments/quantizer-study.sh): mean ± sample standard deviation over the
/// finished seeds of each configuration, unfinished runs named instead of counted, and "not yet run" for a
/// missing setting, all from small fake run folders.
/// </summary>
public sealed class StudyReportTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("vqz-study-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Write(string relative, string text)
    {
        var path = Path.Combine(dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static string N(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A run folder as the script leaves it; <paramref name="finished"/> false stops after the training log.</summary>
    private void WriteRun(string setting, string config, int seed, double nrecon, double psnr, double bits, double bpp,
        double[] batchPerplexities, int dead, bool finished = true)
    {
        var run = $"study/{setting}/{config}-s{seed}";
        var name = $"{config}-s{seed}";
        var log = new List<string>
        {
            // Epoch 1's line must not enter the per-batch perplexity of the last epoch.
            $$"""{"type":"step","step":50,"epoch":1,"recon":0.5,"loss":0.6,"perplexity":3.0,"activeCodes":40,"deadCodes":0}""",
            $$"""{"type":"eval","step":390,"epoch":1,"nrecon":0.2}""",
        };
        for (int i = 0; i < batchPerplexities.Length; i++)
            log.Add($$"""{"type":"step","step":{{400 + 50 * i}},"epoch":2,"recon":0.1,"loss":0.2,"perplexity":{{N(batchPerplexities[i])}},"activeCodes":{{300 + i}},"deadCodes":{{dead}}}""");
        log.Add($$"""{"type":"eval","step":780,"epoch":2,"nrecon":{{N(nrecon)}}}""");
        if (finished) log.Add("""{"type":"stop","step":780,"epoch":2,"reason":"plateau"}""");
        Write($"{run}/{name}.vqm.log.jsonl", string.Join("\n", log) + "\n");
        if (!finished) return;
        Write($"{run}/{name}.vqm", "model");
        Write($"{run}/vqvae.json", $$"""{ "images": 1000, "normalizedError": {{N(nrecon)}}, "psnr": {{N(psnr)}}, "perplexity": 400, "codesUsed": 0.75 }""");
        Write($"{run}/prior.json", $$"""{ "rows": [ { "kind": "unigram", "bitsPerCode": 8.5 }, { "kind": "gated-pixelcnn", "bitsPerCode": {{N(bits)}} } ] }""");
        Write($"{run}/codec.json", $$"""{ "points": [ { "codec": "vqz", "setting": "high", "bpp": {{N(bpp)}}, "psnr": {{N(psnr + 0.5)}} } ] }""");
    }

    [Fact]
    public void Mean_and_sample_standard_deviation_over_seeds()
    {
        var s = StudyReport.Stat.Of([0.060, 0.062, 0.067, null])!;      // a missing figure is left out, not counted as 0
        Assert.Equal(3, s.N);
        Assert.Equal((0.060 + 0.062 + 0.067) / 3, s.Mean, 12);
        double m = s.Mean;
        Assert.Equal(Math.Sqrt((Math.Pow(0.060 - m, 2) + Math.Pow(0.062 - m, 2) + Math.Pow(0.067 - m, 2)) / 2), s.Std, 12);
        Assert.Equal("0.0630 ± 0.0036", s.Format("F4"));                 // sqrt(26e-6 / 2) = 0.0036
        Assert.Equal("0.0630", (s with { N = 1 }).Format("F4"));
        Assert.Null(StudyReport.Stat.Of([null, double.NaN]));
    }

    [Fact]
    public async Task The_study_table_averages_the_finished_seeds_and_names_the_others()
    {
        double[] nrecon = [0.060, 0.062, 0.067], psnr = [24.0, 24.4, 23.5], bits = [6.9, 7.1, 7.0], bpp = [0.55, 0.56, 0.57];
        for (int seed = 1; seed <= 3; seed++)
            WriteRun("thesis", "ng-l3-a015", seed, nrecon[seed - 1], psnr[seed - 1], bits[seed - 1], bpp[seed - 1], [400 + seed, 410 + seed], dead: 2 * seed);
        WriteRun("thesis", "kmeans", 1, 0.09, 22.0, 5.0, 0.50, [100, 120], dead: 200);
        WriteRun("thesis", "kmeans", 2, 0.50, 10.0, 1.0, 0.10, [10], dead: 500, finished: false);
        Write("study/thesis/fcm-s1/FAILED", "thesis/fcm-s1 failed with exit code 70\n");
        Write("study/thesis/fcm-s1/fcm-s1.vqm.log.jsonl", """{"type":"step","step":50,"epoch":1,"recon":0.5,"loss":null}""" + "\n");
        var template = Write("t.md", "## thesis\n\n{{study:thesis}}\n\n{{study-figure:thesis}}\n\n## ours\n\n{{study:ours}}\n\n{{study-figure:ours}}\n");
        var output = Path.Combine(dir, "out/report.md");
        var (code, _, error) = await ToolRun.Run("report", "--template", template, "--study", Path.Combine(dir, "study"), "--runs", Path.Combine(dir, "none"),
            "-o", output, "--figures", Path.Combine(dir, "out/figures"));
        Assert.True(code == 0, error);
        var text = File.ReadAllText(output);

        string PlusMinus(double[] v, string f)
        {
            double m = v.Average(), s = Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (v.Length - 1));
            return $"{m.ToString(f, CultureInfo.InvariantCulture)} ± {s.ToString(f, CultureInfo.InvariantCulture)}";
        }
        // Per-batch perplexity: each seed's mean over its last epoch ((400 + seed + 410 + seed) / 2), then over seeds.
        var perplexity = PlusMinus([405 + 1, 405 + 2, 405 + 3], "F1");
        var activeCodes = PlusMinus([301, 301, 301], "F1");
        Assert.Contains($"| ng-l3-a015 | 3 | 2.0 ± 0.0 | {PlusMinus(nrecon, "F4")} | {PlusMinus(psnr, "F2")} | {perplexity} | 400.0 ± 0.0 | 75.0 ± 0.0 % | " +
                        $"{activeCodes} | {PlusMinus([2, 4, 6], "F1")} | {PlusMinus(bits, "F3")} | {PlusMinus(bpp, "F4")} | {PlusMinus(psnr.Select(p => p + 0.5).ToArray(), "F2")} | " +
                        "stopped: 3 × plateau |", text);
        Assert.Contains("| ng-l3-a015 | 3 | 2.0 ± 0.0 | 0.0630 ± 0.0036 | 23.97 ± 0.45 |", text);
        // kmeans: seed 2 is unfinished, so the row holds seed 1's figures alone (no ±) and names seed 2.
        Assert.Contains("| kmeans | 1 | 2.0 | 0.0900 | 22.00 | 110.0 | 400.0 | 75.0 % | 301.0 | 200.0 | 5.000 | 0.5000 | 22.50 | stopped: 1 × plateau; s2 training not finished |", text);
        Assert.Contains("| fcm | 0 | - | - | - | - | - | - | - | - | - | - | - | s1 failed (thesis/fcm-s1 failed with exit code 70) |", text);
        // A setting with no runs: said so, no numbers, no figure.
        Assert.Contains("## ours\n\n_Not yet run: no finished runs under", text);
        Assert.Equal(2, text.Split("_Not yet run").Length - 1);
        Assert.True(File.Exists(Path.Combine(dir, "out/figures/study-thesis-codes.png")));
        Assert.Contains("(figures/study-thesis-codes.png)", text);
        Assert.False(File.Exists(Path.Combine(dir, "out/figures/study-ours-codes.png")));
        Assert.True(text.IndexOf("| fcm |", StringComparison.Ordinal) < text.IndexOf("| kmeans |", StringComparison.Ordinal), "configurations in name order");
    }
}
