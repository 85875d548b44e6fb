using System.CommandLine;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Models.Priors;
using VqVae.Codec.Tool.Terminal;

namespace VqVae.Codec.Tool.Commands;

/// <summary>`vqz eval level-prior`: bits per code of every further level of test images under a checkerboard level prior.</summary>
internal static class EvalLevelPriorCommand
{
    public static Command Create()
    {
        var vqvaeOption = new Option<string>("--vqvae") { Description = "The VQ-VAE model with code levels.", Required = true };
        var priorOption = new Option<string>("--prior") { Description = "The level prior (.vql) of that VQ-VAE.", Required = true };
        var data = new DataOptions("", "Test images.", required: true);
        var threads = new Option<int>("--threads") { Description = "Threads (TorchSharp and the exact coder; 0 = all cores).", DefaultValueFactory = _ => 0 }
            .InRange(0, OptionLimits.MaxThreads);
        var command = new Command("level-prior", "Bits per code of every level after the first under a level prior: the network's, the exact coder's, and the unigram entropy.");
        command.Options.Add(vqvaeOption);
        command.Options.Add(priorOption);
        data.AddTo(command);
        command.Options.Add(threads);
        command.SetAction((p, cancel) =>
        {
            var console = ToolConsole.For(p);
            if (p.GetValue(threads) is > 0 and var n) TorchSharp.torch.set_num_threads(n);
            using var vqvae = VqVaeModel.Load(p.GetValue(vqvaeOption)!);
            using var prior = CheckerboardLevelModel.Load(p.GetValue(priorOption)!);
            if (!prior.VqVaeDigest.AsSpan().SequenceEqual(vqvae.Digest))
                throw new ModelFileException(p.GetValue(priorOption)!, 0, "header.vqvae",
                    $"the level prior was trained for another VQ-VAE ({Convert.ToHexStringLower(prior.VqVaeDigest.AsSpan(0, 8))}, not {vqvae.ShortDigest})");
            prior.Prior.Architecture.CheckFits(vqvae.Network.Architecture);
            var images = data.Load(p, cancel)!;
            console.Out.WriteLine($"{images.Count} test images; level prior {prior.Name} ({prior.ShortDigest}) of {vqvae.Name} ({vqvae.ShortDigest})");
            TrainLevelPriorCommand.Report(console, prior.Prior, vqvae.Network, images, p.GetValue(threads), cancel);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
