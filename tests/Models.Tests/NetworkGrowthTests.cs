using VqVae.Codec.Models.Networks;
using VqVae.Codec.Models.Quantizers;
using VqVae.Codec.Models.Training;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Tests;

/// <summary>Function-preserving growth of the residual stacks (NetworkGrowth): a grown network computes what its source did.</summary>
public sealed class NetworkGrowthTests
{
    private static readonly VqVaeArchitecture Source = TrainingTests.Tiny with
    {
        Levels = [new ResidualLevelArchitecture { Dim = 4, CodebookSize = 16 }],
    };

    private static VqVaeNetwork Network(VqVaeArchitecture a, int seed)
    {
        random.manual_seed(seed);
        var network = new VqVaeNetwork(a, new QuantizerOptions { Kind = QuantizerKind.KMeans, InitFromEncoder = false });
        network.eval();
        return network;
    }

    [Fact]
    public void A_network_with_more_and_wider_residual_blocks_codes_and_decodes_as_its_source_until_it_is_trained()
    {
        using var scope = NewDisposeScope();
        using var source = Network(Source, 1);
        var grown = NetworkGrowth.Grown(Source, residualChannels: Source.ResidualChannels * 2, residualBlocks: Source.ResidualBlocks + 2);
        using var target = Network(grown, 2);
        NetworkGrowth.CopyInto(source, target);

        var x = rand(2, 3, 16, 16);
        var before = source.EncodeToLevels(x, 2);
        var after = target.EncodeToLevels(x, 2);
        for (int l = 0; l < 2; l++) Assert.True(before[l].eq(after[l]).all().item<bool>());
        Assert.True(source.EncodeToLatents(x).allclose(target.EncodeToLatents(x), rtol: 1e-5, atol: 1e-6));
        Assert.True(source.DecodeLevels(before).allclose(target.DecodeLevels(after), rtol: 1e-5, atol: 1e-6));

        // The new weights are there to be trained: the new blocks' 3x3 filters are not zero.
        var newFilters = target.state_dict().Where(p => p.Key.Contains("residual.conv3.") && p.Key.Contains($".{Source.ResidualBlocks}.")).ToList();
        Assert.NotEmpty(newFilters);
        Assert.All(newFilters, p => Assert.True(p.Value.abs().sum().item<float>() > 0));
    }

    [Fact]
    public void A_network_never_shrinks()
    {
        Assert.Throws<InvalidOptionsException>(() => NetworkGrowth.Grown(Source, residualChannels: Source.ResidualChannels / 2, residualBlocks: null));
        Assert.Throws<InvalidOptionsException>(() => NetworkGrowth.Grown(Source, residualChannels: null, residualBlocks: Source.ResidualBlocks - 1));
        Assert.Equal(Source, NetworkGrowth.Grown(Source, null, null));
    }

    [Fact]
    public void Weights_are_copied_only_into_a_network_that_differs_in_its_residual_blocks()
    {
        using var source = Network(Source, 1);
        using var wider = Network(Source with { HiddenChannels = Source.HiddenChannels * 2 }, 2);
        using var otherLevels = Network(Source with { Levels = [new ResidualLevelArchitecture { Dim = 2, CodebookSize = 16 }] }, 3);
        using var narrower = Network(Source with { ResidualChannels = Source.ResidualChannels / 2 }, 4);
        Assert.Throws<InvalidOptionsException>(() => NetworkGrowth.CopyInto(source, wider));
        Assert.Throws<InvalidOptionsException>(() => NetworkGrowth.CopyInto(source, otherLevels));
        Assert.Throws<InvalidOptionsException>(() => NetworkGrowth.CopyInto(source, narrower));
    }
}
