using System.CommandLine;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Models.Training;
using VqVae.Codec.Tool.Terminal;

namespace VqVae.Codec.Tool.Commands;

/// <summary>`vqz train levels`: adds code levels (residual VQ) to a trained VQ-VAE by batch k-means or neural gas, no back-propagation.</summary>
internal static class TrainLevelsCommand
{
    private static readonly LevelFitOptions D = new();

    public static Command Create()
    {
        var data = new DataOptions("", "Training images the levels are fitted on (never a set you report).", required: true);
        var vqvae = new Option<string>("--vqvae") { Description = "The VQ-VAE model to add levels to.", Required = true };
        var levels = new Option<int>("--levels") { Description = "Further levels to add.", DefaultValueFactory = _ => D.Levels };
        var dim = new Option<int>("--level-dim") { Description = "d: principal directions of the residual each level's codebook lives in.", DefaultValueFactory = _ => D.Dim };
        var size = new Option<int>("--codebook-size") { Description = "K of each added level (at most 512).", DefaultValueFactory = _ => D.CodebookSize };
        var fit = new Option<string>("--fit") { Description = "kmeans | neural-gas.", DefaultValueFactory = _ => "kmeans" };
        fit.AcceptOnlyFromAmong("kmeans", "neural-gas");
        var iterations = new Option<int>("--iterations") { Description = "Batch iterations per level.", DefaultValueFactory = _ => D.Iterations };
        var samples = new Option<int>("--samples") { Description = "Latent vectors to fit on.", DefaultValueFactory = _ => D.Samples };
        var crop = new Option<int>("--crop") { Description = "Side of the random crops the latents come from.", DefaultValueFactory = _ => D.CropSize };
        var seed = new Option<int>("--seed") { Description = "Seed of crops and initialisation.", DefaultValueFactory = _ => D.Seed };
        var threads = new Option<int>("--threads") { Description = "TorchSharp threads (0 = all cores).", DefaultValueFactory = _ => 0 };
        var name = new Option<string?>("--name") { Description = "Name recorded in the model file (default: the output's file name)." };
        var output = new Option<string>("--out", "-o") { Description = "Model file to write.", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace <out> if it exists." };

        var command = new Command("levels", "Add code levels (residual VQ) to a VQ-VAE: codebooks fitted on the residuals' principal directions, networks frozen.");
        data.AddTo(command);
        foreach (var o in new Option[] { vqvae, levels, dim, size, fit, iterations, samples, crop, seed, threads, name, output, force })
            command.Options.Add(o);
        command.SetAction((p, cancel) =>
        {
            var console = ToolConsole.For(p);
            var outPath = p.GetValue(output)!;
            var existing = OutputRule.Of(p.GetValue(force));
            AtomicFile.Check(outPath, existing);
            if (p.GetValue(threads) is > 0 and var n) TorchSharp.torch.set_num_threads(n);
            var options = new LevelFitOptions
            {
                Levels = p.GetValue(levels),
                Dim = p.GetValue(dim),
                CodebookSize = p.GetValue(size),
                Method = p.GetValue(fit) == "neural-gas" ? LevelFitMethod.NeuralGas : LevelFitMethod.KMeans,
                Iterations = p.GetValue(iterations),
                Samples = p.GetValue(samples),
                CropSize = p.GetValue(crop),
                Seed = p.GetValue(seed),
            }.Validate();
            using var source = VqVaeModel.Load(p.GetValue(vqvae)!);
            var dataset = data.Load(p, cancel)!;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            using var network = ResidualLevelFit.AddLevels(source.Network, dataset, options, new Progress<string>(console.Out.WriteLine), cancel);
            var training = source.Training.DeepClone().AsObject();
            training["levels"] = Provenance.Of("train levels", p, dataset.Count);
            var bytes = VqVaeModel.ToFile(network, p.GetValue(name) ?? Path.GetFileNameWithoutExtension(outPath), training).ToBytes();
            AtomicFile.Write(outPath, bytes, existing);
            var digest = ModelFile.DigestOf(bytes);
            console.Out.WriteLine($"wrote {outPath} (sha256 {Convert.ToHexStringLower(digest)}): {network.LevelCount} levels, fitted in {clock.Elapsed.TotalSeconds:F0} s");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
