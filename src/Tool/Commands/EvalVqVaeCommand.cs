using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using VqVae.Codec.Models.Evaluation;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Tool.Terminal;

namespace VqVae.Codec.Tool.Commands;

/// <summary>`vqz eval vqvae`: reconstruction error, PSNR, perplexity and code usage of a Stage 1 model.</summary>
internal static class EvalVqVaeCommand
{
    public static Command Create()
    {
        var data = new DataOptions("", "Images to evaluate on: a file, folder or .tar (report on test sets).", required: true);
        var model = new Option<string>("--model", "-m") { Description = "VQ-VAE model file.", Required = true };
        var json = new Option<string?>("--json") { Description = "Also write the figures as JSON to this file." };
        var batch = new Option<int>("--batch") { Description = "Images per batch.", DefaultValueFactory = _ => 256 };
        var threads = new Option<int>("--threads") { Description = "TorchSharp threads (0 = all cores).", DefaultValueFactory = _ => 0 }.InRange(0, OptionLimits.MaxThreads);
        var levels = new Option<bool>("--levels") { Description = "One row per number of code levels decoded: PSNR and each level's unigram bits." };
        var unquantized = new Option<bool>("--unquantized") { Description = "With --levels: also a row for the unquantized latents (the networks' ceiling)." };
        var command = new Command("vqvae", "Evaluate a VQ-VAE: MSE, PSNR, normalised reconstruction error, perplexity, codes used.");
        data.AddTo(command);
        foreach (var o in new Option[] { model, json, batch, threads, levels, unquantized }) command.Options.Add(o);
        command.SetAction((p, cancel) =>
        {
            var console = ToolConsole.For(p);
            if (p.GetValue(threads) is > 0 and var n) TorchSharp.torch.set_num_threads(n);
            using var vqvae = VqVaeModel.Load(p.GetValue(model)!);
            var dataset = data.Load(p, cancel)!;
            if (p.GetValue(levels) || p.GetValue(unquantized))
                return Task.FromResult(WriteLevels(console, vqvae, dataset, p.GetValue(unquantized), p.GetValue(batch), p.GetValue(json), p.GetValue(data.Path), cancel));
            var e = VqVaeEvaluator.Evaluate(vqvae.Network, dataset, vqvae.DataVariance, p.GetValue(batch), cancel);
            var table = new Table().AddColumns("figure", "value");
            table.AddRow("images", e.Images.ToString());
            table.AddRow(Markup.Escape("MSE (pixels in [0,1])"), e.Mse.ToString("F6"));
            table.AddRow("normalised reconstruction error", e.NormalizedError.ToString("F4"));
            table.AddRow("PSNR (8-bit RGB)", $"{e.Psnr:F2} dB");
            table.AddRow("perplexity", e.Perplexity.ToString("F1"));
            table.AddRow("codes used", e.CodesUsed.ToString("P1"));
            table.AddRow("unigram entropy", $"{e.UnigramBits:F3} bits/code");
            console.Ansi.Write(table);
            if (p.GetValue(json) is { } jsonPath)
            {
                var node = JsonSerializer.SerializeToNode(e, JsonSerializerOptions.Web)!.AsObject();
                node["model"] = vqvae.Name;
                node["modelDigest"] = Convert.ToHexStringLower(vqvae.Digest);
                node["data"] = p.GetValue(data.Path);
                AtomicFile.Write(jsonPath, System.Text.Encoding.UTF8.GetBytes(node.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
            }
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static int WriteLevels(ToolConsole console, VqVaeModel vqvae, VqVae.Codec.Models.Data.ImageDataset dataset, bool unquantized, int batch,
        string? jsonPath, string? dataPath, CancellationToken cancel)
    {
        var rows = LevelEvaluator.Evaluate(vqvae.Network, dataset, unquantized, batch, cancel);
        var table = new Table().AddColumns("levels", "PSNR (pooled MSE)", "MSE", "level bits/code", "level perplexity", "unigram bpp (sum)");
        foreach (var r in rows)
            table.AddRow(r.Levels == 0 ? "unquantized" : r.Levels.ToString(), $"{r.Psnr:F2} dB", r.Mse.ToString("F6"),
                r.Levels == 0 ? "-" : r.LevelUnigramBits.ToString("F3"), r.Levels == 0 ? "-" : r.LevelPerplexity.ToString("F1"), r.UnigramBpp.ToString("F4"));
        console.Out.WriteLine($"{dataset.Count} images, model {vqvae.Name} ({vqvae.ShortDigest}), {vqvae.Network.LevelCount} level(s)");
        console.Ansi.Write(table);
        if (jsonPath is not null)
        {
            var node = new JsonObject
            {
                ["model"] = vqvae.Name,
                ["modelDigest"] = Convert.ToHexStringLower(vqvae.Digest),
                ["data"] = dataPath,
                ["images"] = dataset.Count,
                ["levels"] = JsonSerializer.SerializeToNode(rows, JsonSerializerOptions.Web),
            };
            AtomicFile.Write(jsonPath, System.Text.Encoding.UTF8.GetBytes(node.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
        }
        return ExitCodes.Ok;
    }
}
