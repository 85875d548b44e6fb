using static TorchSharp.torch;

namespace VqVae.Codec.Models.Training;

/// <summary>
/// Quantizer dropout (SoundStream, DAC) for networks with code levels: how many of its L levels each training
/// item's decoder reads. With probability <see cref="Probability"/> an item reads a uniform random prefix
/// 1..L (DAC's rule), otherwise all L. <see cref="FirstLevelShare"/> first sets aside that share of the items
/// to read level 1 alone: under DAC's rule level 1 alone is only p / L of the items (10 % at p = 0.5 and L = 5),
/// and the first level then loses about 1 dB against a network trained without levels (docs/levels.md §5).
/// </summary>
public sealed record QuantizerDropout
{
    /// <summary>p: the probability that an item reads a random prefix of its levels (DAC: 0.5).</summary>
    public double Probability
    {
        get;
        init => field = value is >= 0 and <= 1 ? value : throw new InvalidOptionsException($"--quantizer-dropout must be in [0, 1], not {value}");
    } = 0.5;

    /// <summary>The share of items that read level 1 alone, drawn before the dropout (0 = DAC's rule alone).</summary>
    public double FirstLevelShare
    {
        get;
        init => field = value is >= 0 and <= 1 ? value : throw new InvalidOptionsException($"--first-level-share must be in [0, 1], not {value}");
    }

    /// <summary>
    /// The levels each of <paramref name="batch"/> items reads, [batch] int64 in 1..<paramref name="levels"/>, from
    /// libtorch's generator; null when every item reads all levels (one level, or no dropout at all).
    /// </summary>
    public Tensor? LevelsUsed(long batch, int levels)
    {
        if (levels == 1 || (Probability == 0 && FirstLevelShare == 0)) return null;
        using var scope = NewDisposeScope();
        var dropped = rand(batch).LessThan(Probability);
        var used = where(dropped, randint(1, levels + 1, batch, dtype: ScalarType.Int64), ScalarLifetimes.Full(batch, levels, ScalarType.Int64));
        if (FirstLevelShare > 0) used = where(rand(batch).LessThan(FirstLevelShare), ones(batch, dtype: ScalarType.Int64), used);
        return used.MoveToOuterDisposeScope();
    }
}
