using static TorchSharp.torch;

namespace VqVae.Codec.Models.Priors;

/// <summary>A context-free prior: the same distribution at every position, from fixed log-probabilities.</summary>
public sealed class StaticPrior : Prior
{
    private readonly Tensor logProbabilities;
    private readonly Tensor counts;

    /// <summary>Uniform over K codes, or the unigram of <paramref name="counts"/> (add-one smoothed so no code is impossible).</summary>
    public StaticPrior(PriorArchitecture a, long[]? counts = null) : base(nameof(StaticPrior), a)
    {
        int k = a.CodebookSize;
        var p = counts is null ? Enumerable.Repeat(1.0, k).ToArray() : counts.Select(c => c + 1.0).ToArray();
        double total = p.Sum();
        logProbabilities = tensor(p.Select(x => (float)Math.Log(x / total)).ToArray());
        this.counts = tensor(counts ?? new long[k]);
        register_buffer("log_probabilities", logProbabilities);
        register_buffer("counts", this.counts);
    }

    /// <summary>The histogram the unigram was counted from (zeros for the uniform prior); add-one smoothed in use.</summary>
    public long[] Counts => counts.data<long>().ToArray();

    /// <inheritdoc/>
    public override bool IsTrainable => false;

    /// <summary>The log-probabilities [K].</summary>
    public Tensor LogProbabilities => logProbabilities;

    /// <inheritdoc/>
    public override Tensor forward(Tensor codes) =>
        logProbabilities.reshape(1, -1, 1, 1).expand(codes.shape[0], -1, codes.shape[1], codes.shape[2]).contiguous();
}
