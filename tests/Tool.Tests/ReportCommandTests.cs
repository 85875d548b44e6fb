namespace VqVae.Codec.Tool.Tests;

/// <summary>vqz report: every number of the generated Markdown comes from the run files; unknown markers are errors.</summary>
public sealed class ReportCommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("vqz-report-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static Task<(int Code, string Output, string Error)> Run(params string[] args) => ToolRun.Run(args);

    private string Write(string relative, string text)
    {
        var path = Path.Combine(dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private void WriteRun(string name, double nrecon, bool nan)
    {
        Write($"runs/{name}/vqvae.json", $$"""{ "images": 1000, "mse": 0.0055, "normalizedError": {{nrecon}}, "psnr": 22.54, "perplexity": 286.35, "codesUsed": 0.90234375, "unigramBits": 8.16 }""");
        Write($"runs/{name}/prior.json", """
            { "vqvae": "k", "data": "test.tar", "rows": [
              { "prior": "uniform", "kind": "uniform", "bitsPerCode": 9.0, "bitsPerDimension": 0.1875, "grids": 1000, "codedBitsPerCode": 8.96325, "codedOverIdeal": 0.99592 },
              { "prior": "u.vqp", "kind": "unigram", "bitsPerCode": 8.1725, "bitsPerDimension": 0.1703, "grids": 1000 },
              { "prior": "g.vqp", "kind": "gated-pixelcnn", "bitsPerCode": 6.5303, "bitsPerDimension": 0.1360, "grids": 1000 } ] }
            """);
        Write($"runs/{name}/{name}.vqm", "model");
        Write($"runs/{name}/codec.json", """{ "points": [ { "codec": "vqz", "setting": "high", "bpp": 0.3918, "psnr": 22.31 } ], "bdRate": [] }""");
        Write($"runs/{name}/{name}.vqm.log.jsonl",
            $$"""{"type":"step","step":50,"epoch":1,"recon":0.7,"loss":0.9}""" + "\n" +
            $$"""{"type":"step","step":780,"epoch":2,"recon":0.1,"loss":{{(nan ? "null" : "0.25")}}}""" + "\n");
    }

    [Fact]
    public async Task Report_fills_the_quantizer_table_and_prior_table_from_the_run_files()
    {
        WriteRun("kmeans", 0.0890, nan: false);
        WriteRun("fcm", 0.1234, nan: true);
        WriteRun("ema", 0.0800, nan: false);
        Write("runs/ema/FAILED", "ema failed with exit code 70\n");
        WriteRun("ng", 0.0900, nan: false);
        File.Delete(Path.Combine(dir, "runs/ng/ng.vqm"));
        Directory.CreateDirectory(Path.Combine(dir, "runs/ng.lock"));
        var template = Write("t.md", "# R\n\n{{quantizers}}\n\n{{prior:" + Path.Combine(dir, "runs/kmeans/prior.json") + "}}\n");
        var output = Path.Combine(dir, "out/report.md");
        var (code, _, error) = await Run("report", "--template", template, "--runs", Path.Combine(dir, "runs"), "-o", output, "--figures", Path.Combine(dir, "out/figures"));
        Assert.True(code == 0, error);
        var text = File.ReadAllText(output);
        Assert.Contains("| fcm | 2 | 780 | 0.1234 | 22.54 | 286.4 | 90.2 % | 8.172 | 6.530 | 0.3918 | 22.31 | NaN in the log |", text);
        Assert.Contains("| kmeans | 2 | 780 | 0.0890 | 22.54 | 286.4 | 90.2 % | 8.172 | 6.530 | 0.3918 | 22.31 | ok |", text);
        Assert.Contains("| ema | 2 | 780 | 0.0800 | 22.54 | 286.4 | 90.2 % | 8.172 | 6.530 | 0.3918 | 22.31 | failed (ema failed with exit code 70) |", text);
        Assert.Contains("| ng | 2 | 780 | 0.0900 | 22.54 | 286.4 | 90.2 % | 8.172 | 6.530 | 0.3918 | 22.31 | training not finished |", text);
        Assert.DoesNotContain("ng.lock", text);
        Assert.True(text.IndexOf("| fcm |", StringComparison.Ordinal) < text.IndexOf("| kmeans |", StringComparison.Ordinal), "runs in name order");
        Assert.Contains("| uniform | uniform | 9.0000 | 0.1875 | 8.9633 | 0.9959 |", text);
        Assert.Contains("| g.vqp | gated-pixelcnn | 6.5303 | 0.1360 | - | - |", text);
        Assert.DoesNotContain("{{", text);
    }

    [Fact]
    public async Task An_unknown_marker_is_a_usage_error_and_writes_nothing()
    {
        var template = Write("t.md", "{{quantizer-table}}\n");
        var output = Path.Combine(dir, "report.md");
        var (code, _, error) = await Run("report", "--template", template, "--runs", Path.Combine(dir, "runs"), "-o", output, "--figures", Path.Combine(dir, "figures"));
        Assert.Equal(2, code);
        Assert.Contains("quantizer-table", error);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task The_codecs_marker_puts_the_vqz_rows_of_several_evaluations_in_one_table()
    {
        var a = Write("a.json", """{ "images": 50, "points": [ { "codec": "vqz", "setting": "high", "bpp": 0.3375, "psnr": 26.82, "msssim": 0.9424, "encodeMs": 2371.6, "decodeMs": 3542.5 }, { "codec": "jpeg", "setting": "q5", "bpp": 0.5 } ] }""");
        var b = Write("b.json", """{ "images": 50, "points": [ { "codec": "vqz", "setting": "high", "bpp": 0.3407, "psnr": 26.82, "msssim": 0.9424, "encodeMs": 727.8, "decodeMs": 687.7 } ] }""");
        var template = Write("t.md", "{{codecs:whole grid=" + a + ", tiles of 32=" + b + "}}\n");
        var output = Path.Combine(dir, "report.md");
        var (code, _, error) = await Run("report", "--template", template, "--runs", Path.Combine(dir, "runs"), "-o", output, "--figures", Path.Combine(dir, "figures"));
        Assert.True(code == 0, error);
        var text = File.ReadAllText(output);
        Assert.Contains("| whole grid | high | 50 | 0.3375 | 26.82 | 0.9424 | 2371.6 | 3542.5 |", text);
        Assert.Contains("| tiles of 32 | high | 50 | 0.3407 | 26.82 | 0.9424 | 727.8 | 687.7 |", text);
        Assert.DoesNotContain("jpeg", text);
    }
}
