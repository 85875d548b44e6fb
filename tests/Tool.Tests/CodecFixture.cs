using System.Diagnostics;
using System.Text.Json.Nodes;
using TorchSharp;
using VqVae.Codec.Models.Data;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Models.Networks;
using VqVae.Codec.Models.Priors;
using VqVae.Codec.Models.Quantizers;

namespace VqVae.Codec.Tool.Tests;

/// <summary>
/// A temporary model directory with a tiny (untrained, seeded) VQ-VAE and gated PixelCNN and a "high"
/// preset on them with tiles of 4, plus a few images; the CLI finds the models with --model-dir.
/// </summary>
public sealed class CodecFixture : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("vqz-cli-").FullName;
    public string ModelDir => Path.Combine(Root, "models");
    public string ImageDir => Path.Combine(Root, "images");

    public CodecFixture()
    {
        Directory.CreateDirectory(ModelDir);
        Directory.CreateDirectory(ImageDir);
        torch.random.manual_seed(1);
        var architecture = new VqVaeArchitecture { HiddenChannels = 16, ResidualChannels = 8, ResidualBlocks = 1, LatentDim = 8, CodebookSize = 32 };
        using var network = new VqVaeNetwork(architecture, new QuantizerOptions());
        network.train();
        using (var noise = torch.rand(8, 3, 32, 32) - 0.5) network.Forward(noise, 0);   // prototypes from encoder outputs
        network.eval();
        var digest = VqVaeModel.Save(network, "cli-tiny", new JsonObject(), Path.Combine(ModelDir, "cli-tiny.vqm"));
        using var prior = new GatedPixelCnnPrior(new PriorArchitecture { CodebookSize = 32, Channels = 8, Layers = 2, HeadChannels = 16 });
        PriorModel.Save(prior, "cli-tiny-gated", digest, new JsonObject(), Path.Combine(ModelDir, "cli-tiny-gated.vqp"));
        File.WriteAllText(Path.Combine(ModelDir, "presets.json"),
            """{ "presets": [ { "quality": "high", "vqvae": "cli-tiny", "prior": "cli-tiny-gated", "tileSide": 4 } ] }""");
        foreach (var (name, w, h) in new[] { ("a", 37, 29), ("b", 32, 32), ("c", 64, 20) })
            File.WriteAllBytes(Path.Combine(ImageDir, name + ".png"), ImageCodecs.EncodePng(Gradient(w, h)));
    }

    public static RgbImage Gradient(int w, int h)
    {
        var px = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = 3 * (y * w + x);
                px[i] = (byte)(x * 255 / w);
                px[i + 1] = (byte)(y * 255 / h);
                px[i + 2] = (byte)((x / 4 + y / 3) % 2 * 200);
            }
        return new RgbImage(w, h, px);
    }

    public string Image(string name) => Path.Combine(ImageDir, name + ".png");

    public string NewDir(string name)
    {
        var dir = Path.Combine(Root, name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Runs vqz in this process.</summary>
    public Task<(int Code, string Output, string Error)> Run(params string[] args) => ToolRun.Run(args);

    /// <summary>Runs vqz in a new process (dotnet vqz.dll from the test's output folder).</summary>
    public (int Code, string Output, string Error) RunProcess(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "vqz.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2))) { process.Kill(true); throw new TimeoutException("vqz did not finish"); }
        return (process.ExitCode, output.Result, error.Result);
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
