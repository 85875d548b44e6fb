using VqVae.Codec.Models.Training;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Tests;

/// <summary>Quantizer dropout: how many levels each training item's decoder reads.</summary>
public sealed class QuantizerDropoutTests
{
    private static long[] Used(QuantizerDropout rule, long batch, int levels, int seed)
    {
        random.manual_seed(seed);
        using var t = rule.LevelsUsed(batch, levels);
        return t is null ? [] : t.data<long>().ToArray();
    }

    [Fact]
    public void Without_dropout_or_levels_every_item_reads_every_level()
    {
        Assert.Empty(Used(new QuantizerDropout { Probability = 0 }, 16, 5, 1));
        Assert.Empty(Used(new QuantizerDropout { FirstLevelShare = 0.5 }, 16, 1, 1));
    }

    [Fact]
    public void Dac_rule_reads_all_levels_or_a_uniform_prefix_and_the_first_level_share_adds_level_one_alone()
    {
        var dac = Used(new QuantizerDropout(), 20_000, 5, 2);
        Assert.All(dac, n => Assert.InRange(n, 1, 5));
        Assert.InRange(dac.Count(n => n == 5) / 20_000.0, 0.58, 0.62);                  // 0.5 + 0.5 / 5
        Assert.InRange(dac.Count(n => n == 1) / 20_000.0, 0.08, 0.12);                  // 0.5 / 5

        var shared = Used(new QuantizerDropout { FirstLevelShare = 0.3 }, 20_000, 5, 2);
        Assert.InRange(shared.Count(n => n == 1) / 20_000.0, 0.35, 0.39);               // 0.3 + 0.7 x 0.1
        Assert.InRange(shared.Count(n => n == 5) / 20_000.0, 0.40, 0.44);               // 0.7 x 0.6

        Assert.All(Used(new QuantizerDropout { Probability = 0, FirstLevelShare = 1 }, 64, 5, 3), n => Assert.Equal(1, n));
    }

    [Fact]
    public void The_default_rule_draws_what_it_drew_before_the_share_existed()
    {
        // The same generator calls as before: rand for the dropout, randint for the prefix, so runs resume identically.
        random.manual_seed(4);
        var dropped = rand(32) < 0.5;
        var expected = where(dropped, randint(1, 4, 32, dtype: ScalarType.Int64), full(32, 3L, dtype: ScalarType.Int64)).data<long>().ToArray();
        Assert.Equal(expected, Used(new QuantizerDropout(), 32, 3, 4));
    }

    [Theory]
    [InlineData(-0.1, 0)]
    [InlineData(1.1, 0)]
    [InlineData(0.5, -0.01)]
    [InlineData(0.5, 2)]
    public void Shares_out_of_range_are_refused(double probability, double share) =>
        Assert.Throws<InvalidOptionsException>(() => new QuantizerDropout { Probability = probability, FirstLevelShare = share });
}
