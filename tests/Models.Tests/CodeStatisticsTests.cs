using VqVae.Codec.Models.Evaluation;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Tests;

/// <summary>Perplexity and code usage on histograms small enough to compute by hand.</summary>
public sealed class CodeStatisticsTests
{
    [Fact]
    public void Perplexity_is_the_exponential_of_the_usage_entropy()
    {
        using var scope = NewDisposeScope();
        var s = new CodeStatistics(4);
        s.Add(tensor(new long[] { 0, 0, 1, 2 }).reshape(2, 2));
        // p = 1/2, 1/4, 1/4, 0: H = 1/2 ln 2 + 2 (1/4 ln 4) = 1.5 ln 2 nats; exp(H) = 2^1.5 = 2.828427.
        Assert.Equal(new long[] { 2, 1, 1, 0 }, s.Counts);
        Assert.Equal(Math.Pow(2, 1.5), s.Perplexity, 9);
        Assert.Equal(1.5, s.EntropyBits, 9);
        Assert.Equal(0.75, s.UsedFraction, 9);                                       // 3 of 4 codes
    }

    [Fact]
    public void Perplexity_is_one_for_a_single_code_and_k_for_uniform_use()
    {
        using var scope = NewDisposeScope();
        // One code: H = 0, exp(0) = 1. Four codes twice each: H = ln 4, exp(H) = 4.
        Assert.Equal(1, CodeStatistics.BatchPerplexity(tensor(new long[] { 3, 3, 3 }), 4), 9);
        Assert.Equal(4, CodeStatistics.BatchPerplexity(tensor(new long[] { 0, 1, 2, 3, 3, 2, 1, 0 }), 4), 9);
    }

    [Fact]
    public void Perplexity_accumulates_over_batches()
    {
        using var scope = NewDisposeScope();
        var s = new CodeStatistics(4);
        s.Add(tensor(new long[] { 0, 0 }));
        s.Add(tensor(new long[] { 1, 1 }));
        // Each batch alone has perplexity 1; together p = 1/2, 1/2: exp(ln 2) = 2.
        Assert.Equal(2, s.Perplexity, 9);
    }
}
