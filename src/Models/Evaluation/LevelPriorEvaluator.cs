using VqVae.Codec.Models.Data;
using VqVae.Codec.Models.Networks;
using VqVae.Codec.Models.Priors;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Evaluation;

/// <summary>Bits per code of one further level on held-out images: under the level prior, and the level's unigram entropy (the same codes' histogram).</summary>
public sealed record LevelPriorEvaluation(int Level, long Codes, double BitsPerCode, double UnigramBits, double AnchorBits, double OtherBits);

/// <summary>Measures a level prior on whole images (padded to a multiple of the downsampling, as the codec does).</summary>
public static class LevelPriorEvaluator
{
    /// <summary>One row per level 2 .. min(L_max, the network's levels).</summary>
    public static IReadOnlyList<LevelPriorEvaluation> Evaluate(CheckerboardLevelPrior prior, VqVaeNetwork network, ImageDataset data,
        int batchSize = 16, CancellationToken cancel = default)
    {
        int last = Math.Min(prior.Architecture.MaxLevel, network.LevelCount);
        var nats = new double[last + 1];
        var anchorNats = new double[last + 1];
        var codes = new long[last + 1];
        var anchorCodes = new long[last + 1];
        var stats = Enumerable.Range(0, last + 1).Select(l => new CodeStatistics(l >= 2 ? network.CodebookSizeOf(l) : 2)).ToArray();
        bool wasTraining = prior.training;
        prior.eval();
        network.eval();
        int f = network.Architecture.Downsampling;
        try
        {
            using var _ = no_grad();
            foreach (var group in data.Images.GroupBy(i => (i.Width, i.Height)))
                foreach (var chunk in group.Chunk(CodeGridSet.BatchFor(group.Key.Width, group.Key.Height, batchSize)))
                {
                    cancel.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    var grids = network.EncodeToLevels(Padding.ToMultiple(ImageTensors.ToTensor(chunk), f), last);
                    var before = LevelReconstruction.Before(network, grids);
                    for (int l = 2; l <= last; l++)
                    {
                        var target = grids[l - 1];
                        var each = nn.functional.cross_entropy(prior.Forward(before[l - 2], l, target), target, reduction: nn.Reduction.None);   // [B, H, W]
                        var anchors = CheckerboardLevelPrior.AnchorMask(target.shape[1], target.shape[2]).unsqueeze(0).expand_as(each);
                        nats[l] += each.to_type(ScalarType.Float64).sum().item<double>();
                        anchorNats[l] += each.masked_select(anchors).to_type(ScalarType.Float64).sum().item<double>();
                        codes[l] += target.numel();
                        anchorCodes[l] += anchors.sum().item<long>();
                        stats[l].Add(target);
                    }
                }
        }
        finally
        {
            if (wasTraining) prior.train();
        }
        return Enumerable.Range(2, last - 1).Select(l => new LevelPriorEvaluation(l, codes[l], nats[l] / codes[l] / Math.Log(2), stats[l].EntropyBits,
            anchorNats[l] / Math.Max(1, anchorCodes[l]) / Math.Log(2), (nats[l] - anchorNats[l]) / Math.Max(1, codes[l] - anchorCodes[l]) / Math.Log(2))).ToList();
    }
}
