using VqVae.Codec.Models.Priors;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Evaluation;

/// <summary>Negative log-likelihood of code grids under a prior.</summary>
/// <param name="Grids">Grids evaluated.</param>
/// <param name="Codes">Codes evaluated.</param>
/// <param name="BitsPerCode">-log2 p(z) per code, averaged over all codes.</param>
/// <param name="BitsPerDimension">Total bits divided by (image width x height x 3) of the original images.</param>
/// <param name="TotalBits">Sum of -log2 p(z) over all grids: the ideal size of the coded grids.</param>
public sealed record PriorEvaluation(int Grids, long Codes, double BitsPerCode, double BitsPerDimension, double TotalBits);

/// <summary>Evaluates a prior on code grids.</summary>
public static class PriorEvaluator
{
    /// <summary>Sums -log2 p over every code of every grid (grids of one size are batched).</summary>
    public static PriorEvaluation Evaluate(Prior prior, CodeGridSet set, int batchSize = 256, CancellationToken cancel = default)
    {
        bool wasTraining = prior.training;
        prior.eval();
        double bits = 0;
        long codes = 0, dimensions = 0;
        try
        {
            using var _ = no_grad();
            foreach (var group in set.Grids.GroupBy(g => (g.Height, g.Width)))
                foreach (var chunk in group.Chunk(CodeGridSet.BatchFor(group.Key.Width, group.Key.Height, batchSize, CodeGridSet.CodesPerBatch)))
                {
                    cancel.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    int h = group.Key.Height, w = group.Key.Width;
                    var data = chunk.SelectMany(g => g.Codes.Select(c => (long)c)).ToArray();
                    var grid = tensor(data, [chunk.Length, h, w]);
                    var nats = nn.functional.cross_entropy(prior.forward(grid).to_type(ScalarType.Float64), grid, reduction: nn.Reduction.Sum).item<double>();
                    bits += nats / Math.Log(2);
                    codes += data.Length;
                    dimensions += chunk.Sum(g => (long)g.ImageWidth * g.ImageHeight * 3);
                }
        }
        finally
        {
            if (wasTraining) prior.train();
        }
        return new PriorEvaluation(set.Grids.Count, codes, bits / codes, bits / dimensions, bits);
    }
}
