using VqVae.Codec.Models.Quantizers;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Tests;

/// <summary>Posteriors and loss terms against values computed by hand from the thesis's equations.</summary>
public sealed class QuantizerPosteriorTests
{
    private const int D = 2;

    private static (double[] Posterior, double Commitment, double Vq) Run(QuantizerKind kind, Action<QuantizerOptions>? _ = null)
    {
        using var scope = NewDisposeScope();
        var q = TinyCodebook.Create(TinyCodebook.Options(kind));
        q.eval();
        var output = q.Forward(TinyCodebook.LatentTensor(), progress: 0);
        return (TinyCodebook.Row(output.Posterior!.reshape(-1)), output.Commitment.item<float>(), output.VqLoss.item<float>());
    }

    private static double Expectation(double[] weights) => weights.Zip(TinyCodebook.Distances, (w, d) => w * d).Sum() / D;

    [Fact]
    public void Kmeans_posterior_is_one_hot_on_the_nearest_prototype_eq_5_5()
    {
        var (posterior, commitment, vq) = Run(QuantizerKind.KMeans);
        Assert.Equal(new double[] { 1, 0, 0 }, posterior);
        Assert.Equal(0.05 / D, commitment, 6);
        Assert.Equal(0.05 / D, vq, 6);
    }

    [Fact]
    public void Neural_gas_posterior_is_h_lambda_of_rank_over_D_eq_4_3()
    {
        var (posterior, commitment, vq) = Run(QuantizerKind.NeuralGas);
        double norm = 1 + Math.Exp(-1) + Math.Exp(-2);                     // lambda = 1, ranks 0, 1, 2
        var expected = new[] { 1 / norm, Math.Exp(-1) / norm, Math.Exp(-2) / norm };
        for (int z = 0; z < 3; z++) Assert.Equal(expected[z], posterior[z], 6);
        Assert.Equal(Expectation(expected), commitment, 5);
        Assert.Equal(Expectation(expected), vq, 5);
    }

    /// <summary>Eq. 4.4 in its ratio form, as the thesis writes it: d squared, exponent 2/(m-1).</summary>
    private static double[] Memberships(double m)
    {
        var d = TinyCodebook.Distances;
        return d.Select(dz => 1 / d.Sum(dc => Math.Pow(dz / dc, 2 / (m - 1)))).ToArray();
    }

    [Fact]
    public void Fcm_membership_posterior_is_eq_4_4_and_its_loss_is_eq_5_7()
    {
        var (posterior, commitment, vq) = Run(QuantizerKind.FcmMembership);
        var u = Memberships(2);
        for (int z = 0; z < 3; z++) Assert.Equal(u[z], posterior[z], 5);
        Assert.Equal(Expectation(u), commitment, 5);
        Assert.Equal(Expectation(u), vq, 5);
    }

    [Fact]
    public void Plain_fcm_weights_distances_by_membership_to_the_m_eq_5_6()
    {
        var (posterior, commitment, _) = Run(QuantizerKind.Fcm);
        var u = Memberships(2);
        for (int z = 0; z < 3; z++) Assert.Equal(u[z], posterior[z], 5);          // sampling uses the memberships
        Assert.Equal(Expectation(u.Select(x => x * x).ToArray()), commitment, 5);  // but the loss weights are u^m
    }

    [Fact]
    public void Normalised_fcm_posterior_is_eq_4_7()
    {
        var (posterior, commitment, _) = Run(QuantizerKind.FcmNormalized);
        var um = Memberships(2).Select(x => x * x).ToArray();
        var expected = um.Select(x => x / um.Sum()).ToArray();
        for (int z = 0; z < 3; z++) Assert.Equal(expected[z], posterior[z], 5);
        Assert.Equal(Expectation(expected), commitment, 5);
    }

    [Fact]
    public void Ema_keeps_the_kmeans_posterior_and_drops_the_vq_loss()
    {
        var (posterior, commitment, vq) = Run(QuantizerKind.Ema);
        Assert.Equal(new double[] { 1, 0, 0 }, posterior);
        Assert.Equal(0.05 / D, commitment, 6);
        Assert.Equal(0, vq);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(3)]
    [InlineData(10)]
    public void Neural_gas_posterior_sums_to_one_and_decreases_with_rank(double lambda)
    {
        using var scope = NewDisposeScope();
        var q = new NeuralGasQuantizer(512, 8, new QuantizerOptions { Kind = QuantizerKind.NeuralGas, LambdaStart = lambda, LambdaEnd = lambda });
        random.manual_seed(17);
        // Distinct distances: with ties, the rank order among equals is arbitrary and may differ between sorts.
        var d = stack(Enumerable.Range(0, 64).Select(_ => randperm(512).to_type(ScalarType.Float32)).ToArray());
        var posterior = q.Posterior(d, 0);
        Assert.All(TinyCodebook.Row(posterior.sum(1)), s => Assert.Equal(1, s, 5));
        var byRank = posterior.gather(1, d.argsort(1));                    // posterior of the rank-0, rank-1, ... code
        Assert.True((byRank[.., 1..] <= byRank[.., ..^1]).all().item<bool>(), "posterior must not increase with rank");
        // Strictly over the ranks that carry mass (lambda * 17, see NeuralGasQuantizer.RankedRangeInLambdas), zero beyond.
        int ranked = NeuralGasQuantizer.RankedCodes(512, lambda);
        Assert.True((byRank[.., 1..ranked] < byRank[.., ..(ranked - 1)]).all().item<bool>(), "posterior must strictly decrease with rank");
        Assert.True((byRank[.., ranked..] == 0).all().item<bool>());
    }

    /// <summary>x1 = (0.2, 0.1) (distances 0.05, 0.65, 3.65) and x2 = (1, 0.5) (distances 1.25, 0.25, 3.25) as [1, 2, 1, 2].</summary>
    private static Tensor TwoLatents() => tensor(new float[] { 0.2f, 1, 0.1f, 0.5f }).reshape(1, 2, 1, 2);

    [Fact]
    public void Kmeans_loss_terms_are_the_mean_over_latents()
    {
        using var scope = NewDisposeScope();
        var q = TinyCodebook.Create(TinyCodebook.Options(QuantizerKind.KMeans));
        var output = q.Forward(TwoLatents(), progress: 0);
        // Nearest: w0 at 0.05 for x1, w1 at 0.25 for x2; (0.05 + 0.25) / (2 latents * D = 2) = 0.075.
        Assert.Equal(new long[] { 0, 1 }, output.Indices.reshape(-1).data<long>().ToArray());
        Assert.Equal(0.075, output.Commitment.item<float>(), 6);
        Assert.Equal(0.075, output.VqLoss.item<float>(), 6);
    }

    [Fact]
    public void Neural_gas_at_mid_training_uses_the_annealed_lambda_on_every_latent()
    {
        using var scope = NewDisposeScope();
        var q = TinyCodebook.Create(TinyCodebook.Options(QuantizerKind.NeuralGas) with { LambdaStart = 10, LambdaEnd = 0.1 });
        q.eval();
        var output = q.Forward(TwoLatents(), progress: 0.5);
        // lambda(0.5) = 10 (0.1 / 10)^0.5 = 1: ranks 0, 1, 2 get 1, e^-1, e^-2 over n = 1 + e^-1 + e^-2.
        // x1 ranks w0, w1, w2; x2 ranks w1 (0.25), w0 (1.25), w2 (3.25).
        double n = 1 + Math.Exp(-1) + Math.Exp(-2);
        var expected = new[] { 1 / n, Math.Exp(-1) / n, Math.Exp(-2) / n, Math.Exp(-1) / n, 1 / n, Math.Exp(-2) / n };
        var posterior = TinyCodebook.Row(output.Posterior!.reshape(-1));
        for (int i = 0; i < 6; i++) Assert.Equal(expected[i], posterior[i], 1e-5);
        // (sum_z q_z d_z over x1 + the same over x2) / (2 latents * D = 2).
        double s1 = (0.05 + Math.Exp(-1) * 0.65 + Math.Exp(-2) * 3.65) / n, s2 = (0.25 + Math.Exp(-1) * 1.25 + Math.Exp(-2) * 3.25) / n;
        Assert.Equal((s1 + s2) / 4, output.Commitment.item<float>(), 1e-5);
        Assert.Equal((s1 + s2) / 4, output.VqLoss.item<float>(), 1e-5);
    }

    [Fact]
    public void Neural_gas_lambda_is_annealed_geometrically_from_start_to_end()
    {
        var q = new NeuralGasQuantizer(8, 2, new QuantizerOptions { LambdaStart = 10, LambdaEnd = 0.1 });
        Assert.Equal(10, q.Lambda(0), 9);
        Assert.Equal(1, q.Lambda(0.5), 9);
        Assert.Equal(0.1, q.Lambda(1), 9);
    }

    [Theory]
    [InlineData(QuantizerKind.Fcm)]
    [InlineData(QuantizerKind.FcmMembership)]
    [InlineData(QuantizerKind.FcmNormalized)]
    public void Fcm_memberships_sum_to_one_and_stay_finite_on_a_prototype(QuantizerKind kind)
    {
        using var scope = NewDisposeScope();
        var options = TinyCodebook.Options(kind) with { Fuzzifier = 1.1 };   // exponent 20: the ratio form overflows float32
        var q = TinyCodebook.Create(options);
        // The latent sits exactly on w1, and w2 is duplicated onto w1 too: two zero distances.
        using (no_grad()) q.Prototypes[2].copy_(q.Prototypes[1]);
        var latent = tensor(new float[] { 1, 0 }).reshape(1, 2, 1, 1).requires_grad_(true);
        var output = q.Forward(latent, 0);
        var posterior = TinyCodebook.Row(output.Posterior!.reshape(-1));
        Assert.All(posterior, p => Assert.True(double.IsFinite(p)));
        Assert.Equal(1, posterior.Sum(), 5);
        Assert.Equal(0.5, posterior[1], 3);
        Assert.Equal(0.5, posterior[2], 3);
        var loss = output.Commitment + output.VqLoss;
        loss.backward();
        Assert.True(isfinite(latent.grad!).all().item<bool>());
        Assert.True(isfinite(q.Prototypes.grad!).all().item<bool>());
    }
}
