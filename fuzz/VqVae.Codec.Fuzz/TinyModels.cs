using System.Text.Json.Nodes;
using Microsoft.FSharp.Collections;
using TorchSharp;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Models.Networks;
using VqVae.Codec.Models.Priors;
using VqVae.Codec.Models.Quantizers;
using VqVae.Codec.Pipeline;

namespace VqVae.Codec.Fuzz;

/// <summary>
/// A tiny untrained VQ-VAE (downsampling 4, 32 codes) and its gated PixelCNN and unigram priors, and a
/// tiny VQ-VAE with code levels (K 32, then 16 and 12) with its gated PixelCNN and checkerboard level
/// prior, made from fixed seeds exactly as tests/Codec.Tests/TinyModels.fs makes them, so every process
/// (the seed writer and every fuzzing child) has byte-identical model files and so the same tags.
/// </summary>
internal static class TinyModels
{
    /// <summary>Names a folder of further model files for the catalogue (fuzz/run.sh: the golden folder, so
    /// the golden files among the seeds, those with code levels included, decode past the model lookup).</summary>
    public const string ModelDirVariable = "VQZ_FUZZ_MODEL_DIR";

    public static (byte[] VqVae, byte[] Gated, byte[] Unigram) Make()
    {
        var vqvae = VqVae("fuzz-tiny-f4", 1, null);
        return (vqvae, Prior(2, PriorKind.GatedPixelCnn, vqvae), Prior(3, PriorKind.Unigram, vqvae));
    }

    /// <summary>The VQ-VAE with two further code levels (d 4, K 16; d 2, K 12), its gated PixelCNN and level prior.</summary>
    public static (byte[] VqVae, byte[] Gated, byte[] LevelPrior) MakeLevels()
    {
        var vqvae = VqVae("fuzz-tiny-levels", 5,
            [new ResidualLevelArchitecture { Dim = 4, CodebookSize = 16 }, new ResidualLevelArchitecture { Dim = 2, CodebookSize = 12 }]);
        torch.random.manual_seed(7);
        var a = new CheckerboardLevelArchitecture { LatentDim = 8, LevelCodebookSizes = [16, 12], ContextChannels = 8, CodeChannels = 4, HiddenChannels = 16 };
        byte[] levelPrior;
        using (var prior = new CheckerboardLevelPrior(a))
        {
            prior.eval();
            levelPrior = CheckerboardLevelModel.ToFile(prior, "fuzz-tiny-level-prior", ModelFile.DigestOf(vqvae), new JsonObject()).ToBytes();
        }
        return (vqvae, Prior(6, PriorKind.GatedPixelCnn, vqvae, "fuzz-tiny-levels-gated-pixelcnn"), levelPrior);
    }

    private static byte[] VqVae(string name, long seed, ResidualLevelArchitecture[]? levels)
    {
        torch.random.manual_seed(seed);
        var a = new VqVaeArchitecture { HiddenChannels = 16, ResidualChannels = 8, ResidualBlocks = 1, LatentDim = 8, CodebookSize = 32, Downsampling = 4, Levels = levels };
        using var network = new VqVaeNetwork(a, new QuantizerOptions());
        network.train();
        using (var noise = torch.rand(8, 3, 32, 32) - 0.5) network.Forward(noise, 0.0);
        network.eval();
        return VqVaeModel.ToFile(network, name, new JsonObject()).ToBytes();
    }

    private static byte[] Prior(long seed, PriorKind kind, byte[] vqvae, string? name = null)
    {
        torch.random.manual_seed(seed);
        var a = new PriorArchitecture { Kind = kind, CodebookSize = 32, Channels = 8, Layers = 2, HeadChannels = 16 };
        using var prior = PriorFactory.Create(a, Enumerable.Range(1, 32).Select(i => (long)i).ToArray());
        return PriorModel.ToFile(prior, name ?? $"fuzz-tiny-{PriorArchitecture.NameOf(kind)}", ModelFile.DigestOf(vqvae), new JsonObject()).ToBytes();
    }

    /// <summary>A catalogue of the six models (and of the model files in $VQZ_FUZZ_MODEL_DIR, if set), no presets.</summary>
    public static ModelCatalog Catalog()
    {
        var (vqvae, gated, unigram) = Make();
        var (levels, levelsGated, levelPrior) = MakeLevels();
        var sources = new List<ModelSource>
        {
            ModelSourceModule.ofBytes("fuzz:tiny-f4.vqm", false, vqvae),
            ModelSourceModule.ofBytes("fuzz:tiny-gated.vqp", false, gated),
            ModelSourceModule.ofBytes("fuzz:tiny-unigram.vqp", false, unigram),
            ModelSourceModule.ofBytes("fuzz:tiny-levels.vqm", false, levels),
            ModelSourceModule.ofBytes("fuzz:tiny-levels-gated.vqp", false, levelsGated),
            ModelSourceModule.ofBytes("fuzz:tiny-levels.vql", false, levelPrior),
        };
        if (Environment.GetEnvironmentVariable(ModelDirVariable) is { Length: > 0 } dir)
            sources.AddRange(ModelCatalogModule.ofDirectory(false, dir).Item1);
        return ModelCatalogModule.create(ListModule.OfSeq(sources), FSharpList<Preset>.Empty);
    }
}
