using TorchSharp;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Quantizers;

/// <summary>
/// How the encoder picks the code of a latent. <see cref="RateLambda"/> = 0 is the thesis's gamma(x), the
/// nearest prototype. Above 0 it is entropy-constrained VQ (Chou, Lookabaugh and Gray 1989): the code
/// minimising d(x, w_k) + lambda * dbar * l_k, where l_k = -log2 p_k is the code's length under the
/// image's own code frequencies and dbar the image's mean nearest-prototype distance at this level (so
/// lambda has no unit: a bit is worth lambda times the level's mean error, whatever the level's scale);
/// d is the squared Euclidean distance the quantizer uses. The lengths are estimated from the nearest
/// codes, then <see cref="Iterations"/> - 1 more times from the codes chosen. "The image" is what one call
/// sees: the codec's network tiles (512 pixels and their margin) each estimate their own lengths. Only
/// the encoder chooses: any code is a valid file, so the decoder and the format do not change.
/// </summary>
public sealed record CodeChoice
{
    /// <summary>The thesis's choice: the nearest prototype.</summary>
    public static CodeChoice Nearest { get; } = new();

    /// <summary>An entropy-constrained choice with rate weight <paramref name="rateLambda"/> (0 = nearest).</summary>
    public static CodeChoice EntropyConstrained(double rateLambda, int iterations = DefaultIterations) =>
        new() { RateLambda = rateLambda, Iterations = iterations };

    /// <summary>Iterations of length estimation when none are given.</summary>
    public const int DefaultIterations = 2;

    /// <summary>Largest rate weight accepted (a bit worth 100 times the level's mean error).</summary>
    public const double MaxRateLambda = 100;

    /// <summary>Whether <paramref name="rateLambda"/> is a rate weight this accepts: finite, from 0 to <see cref="MaxRateLambda"/>.</summary>
    public static bool IsValidRateLambda(double rateLambda) => double.IsFinite(rateLambda) && rateLambda is >= 0 and <= MaxRateLambda;

    /// <summary>What is wrong with a rate weight that <see cref="IsValidRateLambda"/> refuses.</summary>
    public const string RateLambdaRange = "the rate weight is a finite number from 0 to 100";

    /// <summary>lambda: what a bit is worth, in units of the level's mean nearest-prototype distance; 0 = nearest.</summary>
    public double RateLambda
    {
        get;
        init => field = IsValidRateLambda(value) ? value : throw new ArgumentOutOfRangeException(nameof(RateLambda), value, RateLambdaRange);
    }

    /// <summary>Re-estimations of the code lengths (1 to 8).</summary>
    public int Iterations
    {
        get;
        init => field = value is >= 1 and <= 8 ? value : throw new ArgumentOutOfRangeException(nameof(Iterations), value, "iterations are 1 to 8");
    } = DefaultIterations;

    /// <summary>Whether this is the nearest prototype (no rate term).</summary>
    public bool IsNearest => RateLambda == 0;

    /// <summary>
    /// The codes [B, N] (int64) for distances [B, N, K] of the N latents of each of B images to the K prototypes;
    /// each image's code lengths come from its own codes.
    /// </summary>
    public Tensor Choose(Tensor distances) => Choose(distances, null);

    /// <summary>
    /// As <see cref="Choose(Tensor)"/> for a quantizer trained with a rate constraint: <paramref name="penalty"/> [1, K]
    /// (<see cref="RateConstraint.Penalty"/>) is part of every code's cost, the trained choice; this choice's own
    /// rate term comes on top of it, with dbar measured on the distances alone.
    /// </summary>
    public Tensor Choose(Tensor distances, Tensor? penalty)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var costs = penalty is null ? distances : distances.Plus(penalty.unsqueeze(0));
        var codes = costs.argmin(2);
        if (IsNearest) return codes.MoveToOuterDisposeScope();
        long k = distances.shape[2], n = distances.shape[1];
        var meanError = distances.gather(2, codes.unsqueeze(2)).mean([1, 2], keepdim: true);        // dbar per image [B, 1, 1]
        var weight = meanError.ClampMin(1e-12).Times(RateLambda);
        for (int i = 0; i < Iterations; i++)
        {
            using var step = NewDisposeScope();                                                         // one [B, N, K] cost alive at a time
            var counts = zeros(distances.shape[0], k, dtype: distances.dtype, device: distances.device)
                .scatter_add_(1, codes, ones_like(codes, dtype: distances.dtype));
            var lengths = -counts.Plus(0.5).DividedBy(n + 0.5 * k).log2();                              // l_k = -log2 p_k (p: counts + 1/2)
            codes = costs.Plus(weight * lengths.unsqueeze(1)).argmin(2).MoveToOuterDisposeScope();       // argmin d + lambda dbar l_k
        }
        return codes.MoveToOuterDisposeScope();
    }
}
