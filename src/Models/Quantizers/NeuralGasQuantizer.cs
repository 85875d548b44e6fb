using static TorchSharp.torch;

namespace VqVae.Codec.Models.Quantizers;

/// <summary>
/// Neural gas (section 4.2): the posterior q(z|x) = h_lambda(r(x, z)) / D with h_lambda(u) = exp(-u / lambda),
/// r the rank of w_z among all prototypes by distance to x (0 = nearest) and D = sum_z h_lambda(r(x, z))
/// (eq. 4.3). lambda is annealed from LambdaStart to LambdaEnd over training.
/// </summary>
public sealed class NeuralGasQuantizer(int codebookSize, int latentDim, QuantizerOptions options)
    : Quantizer(nameof(NeuralGasQuantizer), codebookSize, latentDim, options)
{
    /// <summary>lambda(t) = start (end / start)^t, the classic neural-gas schedule; t in [0, 1].</summary>
    public double Lambda(double progress) =>
        Options.LambdaStart * Math.Pow(Options.LambdaEnd / Options.LambdaStart, Math.Clamp(progress, 0, 1));

    /// <summary>
    /// Ranks at and beyond lambda * this carry h_lambda(r) &lt;= e^-17 (4e-8) each and 1e-7 of the posterior
    /// in all (for lambda &gt;= 1): they are left at zero, so only the nearest codes need ranking.
    /// </summary>
    public const double RankedRangeInLambdas = 17;

    /// <summary>How many of the K nearest codes get a nonzero posterior at this lambda.</summary>
    public static int RankedCodes(int k, double lambda) => (int)Math.Min(k, Math.Ceiling(lambda * RankedRangeInLambdas));

    /// <inheritdoc/>
    public override Tensor Posterior(Tensor distances, double progress)
    {
        using var scope = NewDisposeScope();
        int k = (int)distances.shape[1];
        double lambda = Lambda(progress);
        int ranked = RankedCodes(k, lambda);
        var byRank = NeighbourhoodByRank(k, lambda, distances.device)[..ranked];          // h_lambda(r) / D, eq. 4.3
        var (_, nearest) = distances.detach().topk(ranked, dim: 1, largest: false, sorted: true); // nearest[:, r] = code of rank r
        var posterior = zeros_like(distances).scatter_(1, nearest, byRank.expand(distances.shape[0], ranked));
        return posterior.MoveToOuterDisposeScope();
    }

    /// <summary>h_lambda(r) / sum_r h_lambda(r) for ranks r = 0 .. K-1 (eq. 4.3, normalised).</summary>
    public static Tensor NeighbourhoodByRank(int k, double lambda, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var h = exp((-ScalarLifetimes.Arange(k, ScalarType.Float32, device)).DividedBy(lambda));
        return (h / h.sum()).MoveToOuterDisposeScope();
    }
}
