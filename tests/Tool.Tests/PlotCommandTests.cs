using System.Buffers.Binary;

namespace VqVae.Codec.Tool.Tests;

/// <summary>vqz plot: rate-distortion curves from eval codec JSON and training curves from logs, as PNGs of the requested size.</summary>
public sealed class PlotCommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("vqz-plot-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static Task<(int Code, string Output, string Error)> Run(params string[] args) => ToolRun.Run(args);

    /// <summary>Width and height from the IHDR chunk after checking the PNG signature.</summary>
    private static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }), "not a PNG signature");
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        var image = Models.Data.ImageCodecs.Decode(bytes, path);   // decodes completely
        var size = (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        Assert.Equal(size, (image.Width, image.Height));
        return size;
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private const string Evaluation = """
        { "kind": "vqz-eval-codec", "version": 1, "points": [
          { "codec": "vqz", "setting": "low", "bpp": 0.4, "psnr": 24.1, "msssim": 0.91, "msssimDb": 10.5 },
          { "codec": "vqz", "setting": "high", "bpp": 1.1, "psnr": 28.3, "msssim": 0.97, "msssimDb": 15.2 },
          { "codec": "jpeg", "setting": "q10", "bpp": 0.9, "psnr": 23.0, "msssim": 0.89, "msssimDb": 9.6 },
          { "codec": "jpeg", "setting": "q50", "bpp": 2.0, "psnr": 29.0, "msssim": 0.97, "msssimDb": 15.2 },
          { "codec": "jpeg", "setting": "q90", "bpp": 4.1, "psnr": 36.0, "msssim": 0.99, "msssimDb": 20.0 } ] }
        """;

    [Theory]
    [InlineData("psnr", 640, 480)]
    [InlineData("msssim-db", 300, 200)]
    public async Task An_evaluation_gives_rate_distortion_curves_of_the_requested_size(string metric, int width, int height)
    {
        var png = Path.Combine(dir, $"rd-{metric}.png");
        var (code, output, error) = await Run("plot", Write("eval.json", Evaluation), "-o", png, "--metric", metric, "--width", $"{width}", "--height", $"{height}");
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains("rate-distortion curves", output);
        Assert.Equal((width, height), PngSize(png));
    }

    [Fact]
    public async Task A_training_log_gives_a_training_curve_and_a_half_written_last_line_is_ignored()
    {
        var log = Write("m.vqm.log.jsonl", string.Join('\n',
            Enumerable.Range(1, 20).Select(s => $$"""{"type":"step","step":{{s * 10}},"epoch":1,"recon":{{1.0 / s:R}},"perplexity":{{100 + s}}}""")
                .Append("""{"type":"eval","step":200,"epoch":1,"psnr":21.5,"perplexity":130}""")
                .Append("""{"type":"step","step":210,"ep""")));
        var png = Path.Combine(dir, "train.png");
        var (code, output, error) = await Run("plot", log, "-o", png);
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains("training curve", output);
        Assert.Equal((800, 600), PngSize(png));
        (code, _, error) = await Run("plot", log, "-o", png, "--metric", "perplexity", "--width", "500", "--height", "320", "--force");
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Equal((500, 320), PngSize(png));
    }

    [Fact]
    public async Task Unknown_inputs_and_metrics_and_existing_outputs_have_their_exit_codes()
    {
        var png = Path.Combine(dir, "x.png");
        var (code, _, error) = await Run("plot", Write("e.csv", "kind,codec\nimage,jpeg\n"), "-o", png);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("neither a training log", error);
        (code, _, error) = await Run("plot", Write("eval.json", Evaluation), "-o", png, "--metric", "lpips");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("psnr, msssim, msssim-db", error);
        (code, _, error) = await Run("plot", Write("l.jsonl", """{"type":"step","step":1,"recon":0.5}"""), "-o", png, "--metric", "psnr");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("the training log has recon", error);
        File.WriteAllText(png, "precious");
        Assert.Equal(ExitCodes.OutputError, (await Run("plot", Write("eval.json", Evaluation), "-o", png)).Code);
        Assert.Equal("precious", File.ReadAllText(png));
    }
}
