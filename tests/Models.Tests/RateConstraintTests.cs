using System.Text.Json.Nodes;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Models.Networks;
using VqVae.Codec.Models.Quantizers;
using VqVae.Codec.Models;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Tests;

/// <summary>Entropy-constrained assignment in training (RateConstraint): hand-checked costs, its statistics, model files.</summary>
public sealed class RateConstraintTests
{
    private static Quantizer Tiny(double rateLambda, QuantizerKind kind = QuantizerKind.KMeans) =>
        TinyCodebook.Create(TinyCodebook.Options(kind) with { RateLambda = rateLambda, EmaDecay = 0.9 });

    private static void Set(Quantizer q, float[] p, float dbar)
    {
        using var _ = no_grad();
        q.Rate!.Frequencies.copy_(tensor(p));
        q.Rate.MeanDistance.copy_(tensor(new[] { dbar }));
    }

    [Fact]
    public void Lambda_0_has_no_constraint_no_state_and_writes_nothing_to_a_model_header()
    {
        using var q = Tiny(0);
        Assert.Null(q.Rate);
        Assert.DoesNotContain(q.state_dict().Keys, k => k.StartsWith("rate.", StringComparison.Ordinal));
        Assert.Null(System.Text.Json.JsonSerializer.SerializeToNode(q.Options, VqVaeModel.Json)!["rateLambda"]);
        using var r = Tiny(0.5);
        Assert.Equal(new[] { "rate.frequencies", "rate.mean_distance" }, r.state_dict().Keys.Where(k => k.StartsWith("rate.", StringComparison.Ordinal)).Order());
        Assert.Equal(0.5, (double)System.Text.Json.JsonSerializer.SerializeToNode(r.Options, VqVaeModel.Json)!["rateLambda"]!);
    }

    [Theory]
    // x = (0.2, 0.1): distances 0.05, 0.65, 3.65. p = 0.02, 0.97, 0.01: lengths 5.644, 0.0439, 6.644 bits; dbar 0.1.
    // lambda 0.5: 0.05 + 0.2822 = 0.332 against 0.65 + 0.0022 = 0.652: code 0 stays.
    [InlineData(0.5, 0L)]
    // lambda 2: 0.05 + 1.129 = 1.179 against 0.65 + 0.0088 = 0.659: code 1, 0.6 farther, 5.6 bits cheaper.
    [InlineData(2.0, 1L)]
    public void A_latent_goes_to_a_cheaper_code_only_when_the_bits_saved_are_worth_the_extra_distance(double lambda, long expected)
    {
        using var scope = NewDisposeScope();
        using var q = Tiny(lambda);
        Set(q, [0.02f, 0.97f, 0.01f], 0.1f);
        var costs = TinyCodebook.Row(q.Rate!.Penalty(tensor(TinyCodebook.Distances).to_type(ScalarType.Float32).unsqueeze(0), training: false).squeeze(0)
            .Plus(tensor(TinyCodebook.Distances)));
        double[] lengths = [-Math.Log2(0.02), -Math.Log2(0.97), -Math.Log2(0.01)];
        for (int k = 0; k < 3; k++) Assert.Equal(TinyCodebook.Distances[k] + lambda * 0.1 * lengths[k], costs[k], 5);
        Assert.Equal(expected, q.Encode(TinyCodebook.LatentTensor()).item<long>());
        q.train();
        Assert.Equal(expected, q.Forward(TinyCodebook.LatentTensor(), 0.5).Indices.item<long>());   // training assigns as the encoder does
        float[] before = [0.02f, 0.97f, 0.01f];
        Assert.Equal(0.9 * before[expected] + 0.1, TinyCodebook.Row(q.Rate.Frequencies)[expected], 6);  // and counts the code it chose
    }

    [Fact]
    public void Before_training_sets_dbar_the_encoder_takes_the_nearest_and_a_training_batch_prices_with_its_own()
    {
        using var scope = NewDisposeScope();
        using var q = Tiny(4.0);
        using (no_grad()) q.Rate!.Frequencies.copy_(tensor(new[] { 0.02f, 0.97f, 0.01f }));
        Assert.True(q.Rate!.MeanDistance.item<float>() < 0);
        Assert.Equal(0L, q.Encode(TinyCodebook.LatentTensor()).item<long>());                      // no rate term: the nearest
        q.train();
        // This batch's dbar is its nearest distance, 0.05: 0.05 + 4 * 0.05 * 5.644 = 1.179 against 0.65 + 0.009 = 0.659.
        Assert.Equal(1L, q.Forward(TinyCodebook.LatentTensor(), 0.5).Indices.item<long>());
        Assert.Equal(0.05, q.Rate.MeanDistance.item<float>(), 6);
    }

    [Fact]
    public void The_neural_gas_posterior_ranks_codes_by_their_cost_not_their_distance()
    {
        using var scope = NewDisposeScope();
        using var q = Tiny(2.0, QuantizerKind.NeuralGas);
        Set(q, [0.02f, 0.97f, 0.01f], 0.1f);
        q.eval();
        var posterior = TinyCodebook.Row(q.Forward(TinyCodebook.LatentTensor(), 0.5).Posterior!);
        // Costs 1.179, 0.659, 4.978: ranks 1, 0, 2, so code 1 has the largest weight h(0), then code 0.
        Assert.True(posterior[1] > posterior[0] && posterior[0] > posterior[2], string.Join(", ", posterior));
    }

    [Fact]
    public void Training_steps_move_the_frequencies_and_the_mean_distance_as_moving_averages()
    {
        using var scope = NewDisposeScope();
        using var q = Tiny(0.5);
        q.train();
        // Two latents: (0.2, 0.1) nearest w0 at 0.05, (1, 0.1) nearest w1 at 0.01; with uniform lengths both keep their nearest.
        var x = tensor(new float[] { 0.2f, 1.0f, 0.1f, 0.1f }).reshape(1, 2, 1, 2);
        var first = q.Forward(x, 0);
        Assert.Equal(new long[] { 0, 1 }, first.Indices.reshape(-1).data<long>().ToArray());
        Assert.Equal(0.03, q.Rate!.MeanDistance.item<float>(), 6);                                   // the first batch sets dbar
        var p = TinyCodebook.Row(q.Rate.Frequencies);
        Assert.Equal(0.9 / 3 + 0.1 * 0.5, p[0], 6);                                                  // decay 0.9: 0.9 p + 0.1 share
        Assert.Equal(0.9 / 3 + 0.1 * 0.5, p[1], 6);
        Assert.Equal(0.9 / 3, p[2], 6);
        q.Forward(x, 0);
        Assert.Equal(0.03, q.Rate.MeanDistance.item<float>(), 6);                                    // 0.9 * 0.03 + 0.1 * 0.03
        Assert.Equal(0.9 * (0.9 / 3 + 0.05) + 0.05, TinyCodebook.Row(q.Rate.Frequencies)[0], 6);
        q.eval();
        q.Forward(x, 0);                                                                              // evaluation leaves them alone
        Assert.Equal(0.9 * (0.9 / 3 + 0.05) + 0.05, TinyCodebook.Row(q.Rate.Frequencies)[0], 6);
    }

    [Fact]
    public void A_network_with_constrained_levels_saves_and_loads_its_statistics_and_codes()
    {
        using var dir = TestData.TempDir();
        using var scope = NewDisposeScope();
        random.manual_seed(5);
        var a = TrainingTests.Tiny with { Levels = [new ResidualLevelArchitecture { Dim = 4, CodebookSize = 16 }] };
        var level1 = new QuantizerOptions { Kind = QuantizerKind.KMeans, InitFromEncoder = false };
        using var network = new VqVaeNetwork(a, level1, [level1 with { RateLambda = 1.5 }]);
        Assert.Null(network.Quantizer.Rate);
        var x = rand(2, 3, 16, 16) - 0.5;
        network.train();
        network.Forward(x, 0.1);                                                                      // statistics that are not the initial ones
        network.eval();
        var path = dir.File("ecvq.vqm");
        VqVaeModel.Save(network, "ecvq", new JsonObject { ["dataVariance"] = 0.06 }, path);
        using var loaded = VqVaeModel.Load(path);
        var rate = loaded.Network.FurtherLevels[0].Quantizer.Rate;
        Assert.NotNull(rate);
        Assert.Equal(1.5, rate.RateLambda);
        Assert.True(rate.Frequencies.eq(network.FurtherLevels[0].Quantizer.Rate!.Frequencies).all().item<bool>());
        Assert.True(rate.MeanDistance.item<float>() > 0);
        var (p, q) = (network.EncodeToLevels(x, 2), loaded.Network.EncodeToLevels(x, 2));
        Assert.True(p[1].eq(q[1]).all().item<bool>());
    }

    [Fact]
    public void A_rate_weight_out_of_range_is_refused() =>
        Assert.Throws<InvalidOptionsException>(() => new QuantizerOptions { RateLambda = -1 }.Validate());
}
