using static TorchSharp.torch;

namespace VqVae.Codec.Models.Quantizers;

/// <summary>
/// Fuzzy c-means memberships w_z(x) (eq. 4.4), computed so that they stay finite:
/// w_z(x) = (sum_c (d_z / d_c)^e)^-1 = d_z^-e / sum_c d_c^-e = softmax_z(-e log d_z),
/// with e = 2/(m-1) on squared distances as the thesis writes it, or 1/(m-1) (Bezdek's FCM on
/// Euclidean distances). Computing the ratio directly overflows float32 (a ratio of 100 raised to
/// 2/(m-1) = 20 is 1e40) and divides by zero when a latent sits on a prototype; the log-space form
/// does neither. The distance is floored at a small fraction of the mean distance (see
/// <see cref="RelativeFloor"/>) so that duplicate prototypes at zero distance do not give infinite
/// gradients through log d.
/// </summary>
public static class FuzzyMemberships
{
    /// <summary>Distances below this fraction of the batch's mean distance count as that floor.</summary>
    public const double RelativeFloor = 1e-6;

    /// <summary>The membership exponent e applied to squared distances.</summary>
    public static double Exponent(double fuzzifier, FcmDistance distance) =>
        distance == FcmDistance.Squared ? 2.0 / (fuzzifier - 1) : 1.0 / (fuzzifier - 1);

    /// <summary>log w_z(x) [N, K] from squared distances [N, K] (rows: log of memberships summing to 1).</summary>
    public static Tensor LogMemberships(Tensor distances, double fuzzifier, FcmDistance distance)
    {
        using var scope = NewDisposeScope();
        var floor = distances.detach().mean().Times(RelativeFloor).Plus(1e-12);
        var logD = distances.Plus(floor).log();
        return logD.Times(-Exponent(fuzzifier, distance)).log_softmax(1).MoveToOuterDisposeScope();
    }
}
