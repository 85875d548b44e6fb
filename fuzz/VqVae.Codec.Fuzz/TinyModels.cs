using System.Text.Json.Nodes;
using TorchSharp;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Models.Networks;
using VqVae.Codec.Models.Priors;
using VqVae.Codec.Models.Quantizers;
using VqVae.Codec.Pipeline;

namespace VqVae.Codec.Fuzz;

/// <summary>
/// A tiny untrained VQ-VAE (downsampling 4, 32 codes) and its gated PixelCNN and unigram priors,
/// made from fixed seeds exactly as tests/Codec.Tests/TinyModels.fs makes them, so every process
/// (the seed writer and every fuzzing child) has byte-identical model files and so the same tags.
/// </summary>
internal static class TinyModels
{
    public static (byte[] VqVae, byte[] Gated, byte[] Unigram) Make()
    {
        torch.random.manual_seed(1);
        var a = new VqVaeArchitecture { HiddenChannels = 16, ResidualChannels = 8, ResidualBlocks = 1, LatentDim = 8, CodebookSize = 32, Downsampling = 4 };
        byte[] vqvae;
        using (var network = new VqVaeNetwork(a, new QuantizerOptions()))
        {
            network.train();
            using (var noise = torch.rand(8, 3, 32, 32) - 0.5) network.Forward(noise, 0.0);
            network.eval();
            vqvae = VqVaeModel.ToFile(network, "fuzz-tiny-f4", new JsonObject()).ToBytes();
        }
        return (vqvae, Prior(2, PriorKind.GatedPixelCnn, vqvae), Prior(3, PriorKind.Unigram, vqvae));
    }

    private static byte[] Prior(long seed, PriorKind kind, byte[] vqvae)
    {
        torch.random.manual_seed(seed);
        var a = new PriorArchitecture { Kind = kind, CodebookSize = 32, Channels = 8, Layers = 2, HeadChannels = 16 };
        using var prior = PriorFactory.Create(a, Enumerable.Range(1, 32).Select(i => (long)i).ToArray());
        return PriorModel.ToFile(prior, $"fuzz-tiny-{PriorArchitecture.NameOf(kind)}", ModelFile.DigestOf(vqvae), new JsonObject()).ToBytes();
    }

    /// <summary>A catalogue of the three models, no presets.</summary>
    public static ModelCatalog Catalog()
    {
        var (vqvae, gated, unigram) = Make();
        var sources = Microsoft.FSharp.Collections.ListModule.OfSeq(new[]
        {
            ModelSourceModule.ofBytes("fuzz:tiny-f4.vqm", false, vqvae),
            ModelSourceModule.ofBytes("fuzz:tiny-gated.vqp", false, gated),
            ModelSourceModule.ofBytes("fuzz:tiny-unigram.vqp", false, unigram),
        });
        return ModelCatalogModule.create(sources, Microsoft.FSharp.Collections.FSharpList<Preset>.Empty);
    }
}
