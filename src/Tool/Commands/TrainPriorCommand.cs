using System.CommandLine;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Models.Priors;
using VqVae.Codec.Models.Training;
using VqVae.Codec.Tool.Terminal;

namespace VqVae.Codec.Tool.Commands;

/// <summary>`vqz train prior`: Stage 2, a prior over the code grids of a VQ-VAE.</summary>
internal static class TrainPriorCommand
{
    private static readonly PriorArchitecture A = new();

    public static Command Create()
    {
        var vqvaeOption = new Option<string>("--vqvae") { Description = "The VQ-VAE model whose codes the prior learns.", Required = true };
        var data = new DataOptions("", "Training images (encoded to code grids once, cached).", required: true);
        var evalData = new DataOptions("eval-", "Held-out images: bits per code after every epoch.", required: false);
        var arch = new Option<string>("--arch") { Description = "gated-pixelcnn | pixelcnn | made | unigram | uniform.", DefaultValueFactory = _ => PriorArchitecture.NameOf(A.Kind) };
        arch.AcceptOnlyFromAmong(Enum.GetValues<PriorKind>().Select(PriorArchitecture.NameOf).ToArray());
        var channels = new Option<int>("--channels") { Description = "Embedding and hidden channels (MADE: embedding size).", DefaultValueFactory = _ => A.Channels };
        var layers = new Option<int>("--layers") { Description = "Layers after the first.", DefaultValueFactory = _ => A.Layers };
        var kernel = new Option<int>("--kernel") { Description = "Kernel side of the later layers.", DefaultValueFactory = _ => A.KernelSize };
        var firstKernel = new Option<int>("--first-kernel") { Description = "PixelCNN: kernel side of the type A layer.", DefaultValueFactory = _ => A.FirstKernelSize };
        var head = new Option<int>("--head-channels") { Description = "Output head channels.", DefaultValueFactory = _ => A.HeadChannels };
        var madeHidden = new Option<int>("--made-hidden") { Description = "MADE hidden units.", DefaultValueFactory = _ => A.MadeHidden };
        var madeLayers = new Option<int>("--made-layers") { Description = "MADE hidden layers.", DefaultValueFactory = _ => A.MadeLayers };
        var gridCrop = new Option<int?>("--grid-crop") { Description = "Train on random square crops of the code grids (photos)." };
        var init = new Option<string?>("--init") { Description = "Start from this prior's architecture and weights (fine-tuning, e.g. for a VQ-VAE trained on from the one it was made for; a resumed run starts from its checkpoint)." };
        var train = new TrainOptionSet();
        var command = new Command("prior", "Train a prior over code grids (Stage 2) by maximum likelihood.");
        command.Options.Add(vqvaeOption);
        data.AddTo(command);
        evalData.AddTo(command);
        Option[] architectureOptions = [arch, channels, layers, kernel, firstKernel, head, madeHidden, madeLayers];
        foreach (var o in (Option[])[.. architectureOptions, gridCrop, init]) command.Options.Add(o);
        train.AddTo(command);
        command.SetAction((p, cancel) =>
        {
            var console = ToolConsole.For(p);
            if (p.GetValue(init) is not null && architectureOptions.FirstOrDefault(o => p.GetResult(o) is { Implicit: false }) is { } shape)
                throw new UsageException($"{shape.Name} goes without --init: a fine-tuned prior keeps the architecture of its --init file");
            bool resuming = train.PrepareOutput(p);
            var options = train.Build(p);
            using var vqvae = VqVaeModel.Load(p.GetValue(vqvaeOption)!);
            var architecture = new PriorArchitecture
            {
                Kind = PriorArchitecture.Parse(p.GetValue(arch)!),
                CodebookSize = vqvae.Network.Architecture.CodebookSize,
                Channels = p.GetValue(channels),
                Layers = p.GetValue(layers),
                KernelSize = p.GetValue(kernel),
                FirstKernelSize = p.GetValue(firstKernel),
                HeadChannels = p.GetValue(head),
                MadeHidden = p.GetValue(madeHidden),
                MadeLayers = p.GetValue(madeLayers),
            }.Validate();
            if (p.GetValue(init) is { } initPath) PriorTrainer.CheckInit(initPath, vqvae.Network.Architecture.CodebookSize);   // before the data is encoded
            var grids = CodeGridCache.Load(vqvae, data, p, console.Out, cancel)!;
            var held = CodeGridCache.Load(vqvae, evalData, p, console.Out, cancel);
            console.Out.WriteLine($"{grids.Grids.Count} training grids of {grids.Grids[0].Height}x{grids.Grids[0].Width}{(held is null ? "" : $", {held.Grids.Count} held out")}; " +
                                  (p.GetValue(init) is { } from ? $"prior fine-tuned from {from}" : $"prior {PriorArchitecture.NameOf(architecture.Kind)}"));
            var setup = new PriorTrainingSetup(architecture, options, grids, p.GetValue(train.Out)!, resuming, Provenance.Of("train prior", p, grids.Grids.Count))
            {
                GridCrop = p.GetValue(gridCrop),
                EvalGrids = held,
                InitFrom = p.GetValue(init),
            };
            var result = TrainingView.Run(console, "training prior", options.LogEvery, progress => PriorTrainer.Run(setup, progress, cancel));
            console.Out.WriteLine($"wrote {result.ModelPath} (sha256 {Convert.ToHexStringLower(result.Digest)}) after {result.Steps} steps");
            if (result.LastEvaluation is { } e)
                console.Out.WriteLine($"held out: {e["bitsPerCode"]:F4} bits/code, {e["bitsPerDimension"]:F4} bits/dim");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
