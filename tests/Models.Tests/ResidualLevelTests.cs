using System.Text.Json.Nodes;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Models.Networks;
using VqVae.Codec.Models.Quantizers;
using VqVae.Codec.Models.Training;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Tests;

/// <summary>Code levels (residual VQ, issue 11): what each level codes, prefixes, model files, fitting.</summary>
public sealed class ResidualLevelTests
{
    private static readonly VqVaeArchitecture TwoLevels = TrainingTests.Tiny with
    {
        Levels = [new ResidualLevelArchitecture { Dim = 4, CodebookSize = 16 }, new ResidualLevelArchitecture { Dim = 2, CodebookSize = 8 }],
    };

    private static VqVaeNetwork Network(VqVaeArchitecture a, int seed = 1)
    {
        random.manual_seed(seed);
        var network = new VqVaeNetwork(a, new QuantizerOptions { Kind = QuantizerKind.KMeans, InitFromEncoder = false });
        network.eval();
        return network;
    }

    [Fact]
    public void A_one_level_network_writes_no_level_fields_so_its_model_file_keeps_its_bytes()
    {
        using var network = Network(TrainingTests.Tiny);
        var header = VqVaeModel.ToFile(network, "tiny", new JsonObject()).Header;
        Assert.Null(header["levelQuantizers"]);
        Assert.Null(header["architecture"]!["levels"]);
        Assert.Equal(1, network.LevelCount);
    }

    [Fact]
    public void Each_further_level_codes_the_residual_of_the_levels_before_it()
    {
        using var scope = NewDisposeScope();
        using var network = Network(TwoLevels);
        var z = randn(2, 8, 3, 5);
        var grids = network.LatentsToLevels(z, 3);
        Assert.Equal(3, grids.Length);
        Assert.All(grids, g => Assert.Equal(new long[] { 2, 3, 5 }, g.shape));
        // Level 1: the nearest prototype of z; level 2: the level's code of r_2 = z - w_{c1};
        // level 3: of r_3 = r_2 - up_2(w2_{c2}) (each computed here by hand from the level's parts).
        Assert.True(grids[0].eq(network.Quantizer.Encode(z)).all().item<bool>());
        var r2 = z - network.Quantizer.Decode(grids[0]);
        Assert.True(grids[1].eq(network.FurtherLevels[0].Encode(r2)).all().item<bool>());
        var r3 = r2 - network.FurtherLevels[0].Decode(grids[1]);
        Assert.True(grids[2].eq(network.FurtherLevels[1].Encode(r3)).all().item<bool>());
        // The decoder's input for the first n levels is level 1's prototype plus each further contribution.
        var two = network.LevelsToLatents(grids[..2]);
        Assert.True(two.allclose(network.Quantizer.Decode(grids[0]) + network.FurtherLevels[0].Decode(grids[1])));
        Assert.True(network.DecodeLevels(grids[..1]).eq(network.DecodeCodes(grids[0])).all().item<bool>());
    }

    [Fact]
    public void Quantizer_dropout_decodes_each_item_from_its_own_prefix_of_levels()
    {
        using var scope = NewDisposeScope();
        using var network = Network(TwoLevels);
        using var _ = no_grad();
        var x = rand(3, 3, 8, 8) - 0.5;
        var pass = network.Forward(x, 0.5, tensor(new long[] { 1, 2, 3 }));
        Assert.Equal(3, pass.Levels.Count);
        var grids = network.EncodeToLevels(x, 3);
        for (int b = 0; b < 3; b++)
        {
            var prefix = grids[..(b + 1)].Select(g => g[b..(b + 1)]).ToArray();
            var expected = network.DecodeLevels(prefix);
            Assert.True(pass.Reconstruction[b..(b + 1)].allclose(expected, rtol: 1e-4, atol: 1e-5), $"item {b}");
        }
    }

    [Fact]
    public void A_network_with_levels_saves_and_loads_with_identical_codes_and_pixels()
    {
        using var dir = TestData.TempDir();
        using var scope = NewDisposeScope();
        using var network = Network(TwoLevels);
        var path = dir.File("levels.vqm");
        VqVaeModel.Save(network, "levels", new JsonObject { ["dataVariance"] = 0.06 }, path);
        using var loaded = VqVaeModel.Load(path);
        Assert.Equal(3, loaded.Network.LevelCount);
        var x = rand(2, 3, 16, 16) - 0.5;
        var a = network.EncodeToLevels(x, 3);
        var b = loaded.Network.EncodeToLevels(x, 3);
        for (int l = 0; l < 3; l++) Assert.True(a[l].eq(b[l]).all().item<bool>(), $"level {l + 1}");
        Assert.True(network.DecodeLevels(a).eq(loaded.Network.DecodeLevels(b)).all().item<bool>());
        Assert.Equal(File.ReadAllBytes(path), VqVaeModel.ToFile(loaded.Network, "levels", new JsonObject { ["dataVariance"] = 0.06 }).ToBytes());
    }

    [Theory]
    [InlineData(LevelFitMethod.KMeans)]
    [InlineData(LevelFitMethod.NeuralGas)]
    public void Fitted_levels_leave_less_of_the_latent_with_every_level(LevelFitMethod method)
    {
        using var scope = NewDisposeScope();
        using var source = Network(TrainingTests.Tiny);
        var data = TestData.CifarTrain(32);
        var options = new LevelFitOptions { Levels = 2, Dim = 4, CodebookSize = 16, Method = method, Iterations = 4, Samples = 2048, CropSize = 32 };
        using var network = ResidualLevelFit.AddLevels(source, data, options);
        Assert.Equal(3, network.LevelCount);
        using var _ = no_grad();
        var z = network.EncodeToLatents(VqVae.Codec.Models.Data.ImageTensors.ToTensor(data.Images.Take(8).ToArray()));
        var grids = network.LatentsToLevels(z, 3);
        var errors = Enumerable.Range(1, 3).Select(n => (z - network.LevelsToLatents(grids[..n])).square().mean().item<float>()).ToArray();
        Assert.True(errors[1] < errors[0] && errors[2] < errors[1], string.Join(", ", errors));
        // Level 1 and the networks are the source's, untouched.
        Assert.True(grids[0].eq(source.Quantizer.Encode(z)).all().item<bool>());
    }

    [Fact]
    public void A_level_wider_than_the_latent_or_with_more_than_512_codes_is_refused()
    {
        Assert.Throws<InvalidOptionsException>(() => (TrainingTests.Tiny with { Levels = [new ResidualLevelArchitecture { Dim = 9 }] }).Validate());
        Assert.Throws<InvalidOptionsException>(() => (TrainingTests.Tiny with { Levels = [new ResidualLevelArchitecture { CodebookSize = 513, Dim = 4 }] }).Validate());
        Assert.Throws<InvalidOptionsException>(() => (TrainingTests.Tiny with { Levels = [] }).Validate());
    }
}
