using System.CommandLine;
using VqVae.Codec.Models.Data;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Models.Priors;
using VqVae.Codec.Tool.Terminal;

namespace VqVae.Codec.Tool.Commands;

/// <summary>`vqz sample`: generate images by sampling code grids from the prior and decoding them (section 5.3).</summary>
internal static class SampleCommand
{
    public static Command Create()
    {
        var vqvaeOption = new Option<string>("--vqvae") { Description = "The VQ-VAE model (decoder).", Required = true };
        var priorOption = new Option<string>("--prior") { Description = "The prior model.", Required = true };
        var count = new Option<int>("--count") { Description = "Images to generate.", DefaultValueFactory = _ => 64 };
        var temperature = new Option<double>("--temperature") { Description = "Softmax temperature (1 = the model's distribution).", DefaultValueFactory = _ => 1.0 };
        var grid = new Option<int?>("--grid") { Description = "Side of the code grid (default: the prior's training grid, 8 for CIFAR-10 at downsampling 4)." };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out", "-o") { Description = "PNG picture grid to write.", Required = true };
        var force = new Option<bool>("--force") { Description = "Overwrite the output." };
        var command = new Command("sample", "Sample code grids from a prior and decode them into a picture grid.");
        foreach (var o in new Option[] { vqvaeOption, priorOption, count, temperature, grid, seed, output, force }) command.Options.Add(o);
        command.SetAction((p, cancel) =>
        {
            var console = ToolConsole.For(p);
            var outPath = p.GetValue(output)!;
            AtomicFile.Check(outPath, OutputRule.Of(p.GetValue(force)));
            using var vqvae = VqVaeModel.Load(p.GetValue(vqvaeOption)!);
            using var prior = PriorModel.Load(p.GetValue(priorOption)!);
            if (!prior.VqVaeDigest.AsSpan().SequenceEqual(vqvae.Digest))
                console.Warn($"the prior was trained on the codes of another VQ-VAE ({Convert.ToHexStringLower(prior.VqVaeDigest.AsSpan(0, 8))}), not {vqvae.Name} ({vqvae.ShortDigest})");
            int side = p.GetValue(grid) ?? (prior.Prior.Architecture.Kind == PriorKind.Made ? prior.Prior.Architecture.GridHeight : 8);
            var codes = PriorSampler.Sample(prior.Prior, p.GetValue(count), side, side, p.GetValue(temperature), p.GetValue(seed));
            var images = ImageTensors.ToImages(vqvae.Network.DecodeCodes(codes));
            AtomicFile.Write(outPath, ImageCodecs.EncodePng(ImageMosaic.Tile(images)), OutputRule.Of(p.GetValue(force)));
            console.Out.WriteLine($"wrote {images.Length} samples ({side}x{side} codes each) to {outPath}");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
