using VqVae.Codec.Models.Quantizers;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Tests;

/// <summary>
/// Eq. 4.4 to 4.7 at fuzzifiers where m and 2/(m-1) differ (1.5 and 3) as well as 2, on two latents, against
/// values computed by hand. Codebook w0 = (1, 0), w1 = (1, 1), w2 = (0, 2); latents x1 = (0, 0) with squared
/// distances 1, 2, 4 and x2 = (2, 0) with squared distances 1, 2, 8. With e = 2/(m-1) the memberships are
/// w_z = d_z^-e / sum_c d_c^-e: e = 4 at m = 1.5, 2 at m = 2, 1 at m = 3.
/// </summary>
public sealed class FuzzyCMeansEquationTests
{
    private const int D = 2;

    private static readonly float[,] Prototypes = { { 1, 0 }, { 1, 1 }, { 0, 2 } };

    /// <summary>x1 = (0, 0) and x2 = (2, 0) as [1, 2, 1, 2]: batch 1, D = 2, a 1x2 grid.</summary>
    private static Tensor Latents(bool requiresGrad = false) =>
        tensor(new float[] { 0, 2, 0, 0 }).reshape(1, 2, 1, 2).requires_grad_(requiresGrad);

    private static Quantizer Create(QuantizerKind kind, double m, FcmDistance distance = FcmDistance.Squared, bool posteriorGradient = true)
    {
        var options = TinyCodebook.Options(kind) with { Fuzzifier = m, FcmDistance = distance, PosteriorGradient = posteriorGradient };
        var q = QuantizerFactory.Create(3, 2, options);
        using (no_grad()) q.Prototypes.copy_(tensor(Prototypes));
        return q;
    }

    /// <summary>Memberships w_z(x1) then w_z(x2) (eq. 4.4).</summary>
    public static TheoryData<double, double[]> Memberships => new()
    {
        // e = 4: x1 1, 1/16, 1/256 -> 256, 16, 1 over 273; x2 1, 1/16, 1/4096 -> 4096, 256, 1 over 4353.
        { 1.5, [256.0 / 273, 16.0 / 273, 1.0 / 273, 4096.0 / 4353, 256.0 / 4353, 1.0 / 4353] },
        // e = 2: x1 1, 1/4, 1/16 -> 16, 4, 1 over 21; x2 1, 1/4, 1/64 -> 64, 16, 1 over 81.
        { 2, [16.0 / 21, 4.0 / 21, 1.0 / 21, 64.0 / 81, 16.0 / 81, 1.0 / 81] },
        // e = 1: x1 1, 1/2, 1/4 -> 4, 2, 1 over 7; x2 1, 1/2, 1/8 -> 8, 4, 1 over 13.
        { 3, [4.0 / 7, 2.0 / 7, 1.0 / 7, 8.0 / 13, 4.0 / 13, 1.0 / 13] },
    };

    [Theory]
    [MemberData(nameof(Memberships))]
    public void Memberships_raise_the_squared_distance_ratio_to_2_over_m_minus_1_eq_4_4(double m, double[] expected)
    {
        using var scope = NewDisposeScope();
        var d = tensor(new float[] { 1, 2, 4, 1, 2, 8 }).reshape(2, 3);
        var w = TinyCodebook.Row(FuzzyMemberships.LogMemberships(d, m, FcmDistance.Squared).exp().reshape(-1));
        for (int i = 0; i < 6; i++) Assert.Equal(expected[i], w[i], 1e-5);
    }

    /// <summary>
    /// Per kind and m: the posterior of x1 then x2, and S(x) = sum_z weight_z(x) d_z(x) for x1 and x2, the
    /// weights being the posterior except for plain FCM (w_z^m, eq. 4.5 / 5.6). Both loss terms are then
    /// (S(x1) + S(x2)) / (2 latents * D = 2): the mean over latents of the per-dimension expectation.
    /// </summary>
    public static TheoryData<QuantizerKind, double, double[], double[]> Losses => new()
    {
        // Eq. 4.6: the memberships; S = sum w d. m = 1.5: (256 + 16*2 + 4)/273, (4096 + 256*2 + 8)/4353.
        { QuantizerKind.FcmMembership, 1.5, [256.0 / 273, 16.0 / 273, 1.0 / 273, 4096.0 / 4353, 256.0 / 4353, 1.0 / 4353], [292.0 / 273, 4616.0 / 4353] },
        // m = 2: (16 + 4*2 + 4)/21, (64 + 16*2 + 8)/81.
        { QuantizerKind.FcmMembership, 2, [16.0 / 21, 4.0 / 21, 1.0 / 21, 64.0 / 81, 16.0 / 81, 1.0 / 81], [28.0 / 21, 104.0 / 81] },
        // m = 3: (4 + 2*2 + 4)/7, (8 + 4*2 + 8)/13.
        { QuantizerKind.FcmMembership, 3, [4.0 / 7, 2.0 / 7, 1.0 / 7, 8.0 / 13, 4.0 / 13, 1.0 / 13], [12.0 / 7, 24.0 / 13] },
        // Eq. 4.5: sampling uses the memberships, the loss w^m. m = 1.5: (256/273)^1.5 = 4096/273^1.5, 16^1.5 = 64, so
        // S(x1) = (4096 + 64*2 + 4)/273^1.5; x2: 4096^1.5 = 262144, 256^1.5 = 4096: (262144 + 4096*2 + 8)/4353^1.5.
        { QuantizerKind.Fcm, 1.5, [256.0 / 273, 16.0 / 273, 1.0 / 273, 4096.0 / 4353, 256.0 / 4353, 1.0 / 4353],
            [4228 / Math.Pow(273, 1.5), 270344 / Math.Pow(4353, 1.5)] },
        // m = 2: (256 + 16*2 + 4)/21^2, (4096 + 256*2 + 8)/81^2.
        { QuantizerKind.Fcm, 2, [16.0 / 21, 4.0 / 21, 1.0 / 21, 64.0 / 81, 16.0 / 81, 1.0 / 81], [292.0 / 441, 4616.0 / 6561] },
        // m = 3: (64 + 8*2 + 4)/7^3, (512 + 64*2 + 8)/13^3.
        { QuantizerKind.Fcm, 3, [4.0 / 7, 2.0 / 7, 1.0 / 7, 8.0 / 13, 4.0 / 13, 1.0 / 13], [84.0 / 343, 648.0 / 2197] },
        // Eq. 4.7: w^m normalised. m = 1.5: x1 4096, 64, 1 over 4161; x2 262144, 4096, 1 over 266241.
        { QuantizerKind.FcmNormalized, 1.5, [4096.0 / 4161, 64.0 / 4161, 1.0 / 4161, 262144.0 / 266241, 4096.0 / 266241, 1.0 / 266241],
            [4228.0 / 4161, 270344.0 / 266241] },
        // m = 2: x1 256, 16, 1 over 273; x2 4096, 256, 1 over 4353.
        { QuantizerKind.FcmNormalized, 2, [256.0 / 273, 16.0 / 273, 1.0 / 273, 4096.0 / 4353, 256.0 / 4353, 1.0 / 4353], [292.0 / 273, 4616.0 / 4353] },
        // m = 3: x1 64, 8, 1 over 73; x2 512, 64, 1 over 577.
        { QuantizerKind.FcmNormalized, 3, [64.0 / 73, 8.0 / 73, 1.0 / 73, 512.0 / 577, 64.0 / 577, 1.0 / 577], [84.0 / 73, 648.0 / 577] },
    };

    [Theory]
    [MemberData(nameof(Losses))]
    public void Posterior_and_both_loss_terms_on_two_latents_eq_4_5_to_4_7(QuantizerKind kind, double m, double[] posterior, double[] s)
    {
        using var scope = NewDisposeScope();
        var q = Create(kind, m);
        q.eval();
        var output = q.Forward(Latents(), progress: 0);
        var actual = TinyCodebook.Row(output.Posterior!.reshape(-1));
        for (int i = 0; i < 6; i++) Assert.Equal(posterior[i], actual[i], 1e-5);
        double expected = (s[0] + s[1]) / (2 * D);
        Assert.Equal(expected, output.Commitment.item<float>(), 1e-5);
        Assert.Equal(expected, output.VqLoss.item<float>(), 1e-5);
    }

    /// <summary>Memberships with the Euclidean option: squared distances raised to 1/(m-1), x1 then x2.</summary>
    public static TheoryData<double, double[]> EuclideanMemberships => new()
    {
        // Codebook (1, 0), (2, 0), (4, 0); x1 = (0, 0): squared distances 1, 4, 16; x2 = (5, 0): 16, 9, 1.
        // m = 1.5, e = 2: x1 1, 1/16, 1/256 -> 256, 16, 1 over 273; x2 1/256, 1/81, 1 -> 81, 256, 20736 over 21073.
        { 1.5, [256.0 / 273, 16.0 / 273, 1.0 / 273, 81.0 / 21073, 256.0 / 21073, 20736.0 / 21073] },
        // m = 2, e = 1: x1 1, 1/4, 1/16 -> 16, 4, 1 over 21; x2 1/16, 1/9, 1 -> 9, 16, 144 over 169.
        { 2, [16.0 / 21, 4.0 / 21, 1.0 / 21, 9.0 / 169, 16.0 / 169, 144.0 / 169] },
        // m = 3, e = 1/2: x1 1, 1/2, 1/4 -> 4, 2, 1 over 7; x2 1/4, 1/3, 1 -> 3, 4, 12 over 19.
        { 3, [4.0 / 7, 2.0 / 7, 1.0 / 7, 3.0 / 19, 4.0 / 19, 12.0 / 19] },
    };

    [Theory]
    [MemberData(nameof(EuclideanMemberships))]
    public void The_euclidean_option_raises_the_squared_distance_ratio_to_1_over_m_minus_1(double m, double[] expected)
    {
        using var scope = NewDisposeScope();
        var q = QuantizerFactory.Create(3, 2, TinyCodebook.Options(QuantizerKind.FcmMembership) with { Fuzzifier = m, FcmDistance = FcmDistance.Euclidean });
        using (no_grad()) q.Prototypes.copy_(tensor(new float[,] { { 1, 0 }, { 2, 0 }, { 4, 0 } }));
        q.eval();
        var latents = tensor(new float[] { 0, 5, 0, 0 }).reshape(1, 2, 1, 2);
        var actual = TinyCodebook.Row(q.Forward(latents, 0).Posterior!.reshape(-1));
        for (int i = 0; i < 6; i++) Assert.Equal(expected[i], actual[i], 1e-5);
    }

    [Fact]
    public void Commitment_gradient_flows_through_the_membership_posterior_eq_5_2()
    {
        using var scope = NewDisposeScope();
        var q = Create(QuantizerKind.FcmMembership, 3);
        var latents = Latents(requiresGrad: true);
        q.Forward(latents, 0).Commitment.backward();
        // m = 3, e = 1: w_z = d_z^-1 / S with S = sum_c d_c^-1, so sum_z w_z d_z = 3 / S and the commitment is
        // (1/(N D)) sum_x 3 / S(x), N = D = 2. dS/dx = -sum_c 2 (x - w_c) / d_c^2, so
        // d commitment / dx = 3 / (4 S^2) * sum_c 2 (x - w_c) / d_c^2.
        // x1 = (0, 0): S = 1 + 1/2 + 1/4 = 7/4, 3/(4 S^2) = 12/49;
        //   sum = 2(-1, 0)/1 + 2(-1, -1)/4 + 2(0, -2)/16 = (-2.5, -0.75): gradient (-30/49, -9/49).
        // x2 = (2, 0): S = 1 + 1/2 + 1/8 = 13/8, 3/(4 S^2) = 48/169;
        //   sum = 2(1, 0)/1 + 2(1, -1)/4 + 2(2, -2)/64 = (2.5625, -0.5625): gradient (123/169, -27/169).
        // (With the posterior held fixed it would be (-3/7, -2/7) and (7/13, -3/13), the next test.)
        var expected = new[] { -30.0 / 49, 123.0 / 169, -9.0 / 49, -27.0 / 169 };  // [D, x1 x2] layout
        var actual = TinyCodebook.Row(latents.grad!.reshape(-1));
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], actual[i], 1e-5);
    }

    [Fact]
    public void Vq_gradient_on_the_codebook_flows_through_the_membership_posterior_eq_5_3()
    {
        using var scope = NewDisposeScope();
        var q = Create(QuantizerKind.FcmMembership, 3);
        q.Forward(Latents(), 0).VqLoss.backward();
        // m = 3: the VQ loss is (1/(N D)) sum_x 3 / S(x) with S = sum_c 1 / d_c, N = D = 2, so
        // d VQ / dw_c = sum_x 3 / (4 S(x)^2) * 2 (w_c - x) / d_c(x)^2, with 3 / (4 S^2) = 12/49 for x1 and 48/169 for x2.
        // w0 = (1, 0): x1 2(1, 0)/1, x2 2(-1, 0)/1:   (24/49 - 96/169, 0).
        // w1 = (1, 1): x1 2(1, 1)/4, x2 2(-1, 1)/4:   (6/49 - 24/169, 6/49 + 24/169).
        // w2 = (0, 2): x1 2(0, 2)/16, x2 2(-2, 2)/64: (-3/169, 3/49 + 3/169).
        // (With the posterior held fixed, w0's would be (1/4)(4/7 (2, 0) + 8/13 (-2, 0)) = (2/7 - 4/13, 0).)
        var expected = new[] { 24.0 / 49 - 96.0 / 169, 0, 6.0 / 49 - 24.0 / 169, 6.0 / 49 + 24.0 / 169, -3.0 / 169, 3.0 / 49 + 3.0 / 169 };
        var actual = TinyCodebook.Row(q.Prototypes.grad!.reshape(-1));
        for (int i = 0; i < 6; i++) Assert.Equal(expected[i], actual[i], 1e-5);
    }

    [Fact]
    public void Without_posterior_gradient_the_memberships_are_fixed_weights()
    {
        using var scope = NewDisposeScope();
        var q = Create(QuantizerKind.FcmMembership, 3, posteriorGradient: false);
        var latents = Latents(requiresGrad: true);
        q.Forward(latents, 0).Commitment.backward();
        // d commitment / dx = (1/(N D)) sum_z w_z 2 (x - w_z), N = D = 2.
        // x1: w = 4/7, 2/7, 1/7: (1/4)(4/7 (-2, 0) + 2/7 (-2, -2) + 1/7 (0, -4)) = (1/4)(-12/7, -8/7) = (-3/7, -2/7).
        // x2: w = 8/13, 4/13, 1/13: (1/4)(8/13 (2, 0) + 4/13 (2, -2) + 1/13 (4, -4)) = (1/4)(28/13, -12/13) = (7/13, -3/13).
        var expected = new[] { -3.0 / 7, 7.0 / 13, -2.0 / 7, -3.0 / 13 };
        var actual = TinyCodebook.Row(latents.grad!.reshape(-1));
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], actual[i], 1e-5);
    }
}
