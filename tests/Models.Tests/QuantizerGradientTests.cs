using VqVae.Codec.Models.Quantizers;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Tests;

/// <summary>Gradients flow as eq. 5.2 to 5.4 say, and the straight-through estimator of section 5.1.</summary>
public sealed class QuantizerGradientTests
{
    public static TheoryData<QuantizerKind> GradientTrained => new()
    {
        QuantizerKind.KMeans, QuantizerKind.NeuralGas, QuantizerKind.Fcm, QuantizerKind.FcmMembership, QuantizerKind.FcmNormalized,
    };

    private static bool IsZero(Tensor? grad) => grad is null || grad.abs().max().item<float>() == 0;

    [Theory]
    [MemberData(nameof(GradientTrained))]
    public void Commitment_term_gives_the_codebook_no_gradient_eq_5_2(QuantizerKind kind)
    {
        using var scope = NewDisposeScope();
        var q = TinyCodebook.Create(TinyCodebook.Options(kind));
        var latent = TinyCodebook.LatentTensor(requiresGrad: true);
        q.Forward(latent, 0).Commitment.backward();
        Assert.True(IsZero(q.Prototypes.grad), "the prototypes must not receive gradient from the commitment loss");
        Assert.False(IsZero(latent.grad), "the encoder must receive gradient from the commitment loss");
    }

    [Theory]
    [MemberData(nameof(GradientTrained))]
    public void Vq_term_gives_the_encoder_no_gradient_eq_5_3(QuantizerKind kind)
    {
        using var scope = NewDisposeScope();
        var q = TinyCodebook.Create(TinyCodebook.Options(kind));
        var latent = TinyCodebook.LatentTensor(requiresGrad: true);
        q.Forward(latent, 0).VqLoss.backward();
        Assert.True(IsZero(latent.grad), "the encoder must not receive gradient from the VQ loss");
        Assert.False(IsZero(q.Prototypes.grad), "the prototypes must receive gradient from the VQ loss");
    }

    [Fact]
    public void Commitment_gradient_on_the_encoder_is_2_alpha_free_x_minus_w_over_D_for_kmeans()
    {
        using var scope = NewDisposeScope();
        var q = TinyCodebook.Create(TinyCodebook.Options(QuantizerKind.KMeans));
        var latent = TinyCodebook.LatentTensor(requiresGrad: true);
        q.Forward(latent, 0).Commitment.backward();
        // d/dx ||x - w0||^2 / D = 2 (x - w0) / D with w0 = 0.
        Assert.Equal(new[] { 0.2, 0.1 }, TinyCodebook.Row(latent.grad!.reshape(-1)).Select(g => Math.Round(g, 6)));
    }

    [Theory]
    [MemberData(nameof(GradientTrained))]
    public void Straight_through_estimator_passes_the_decoder_gradient_to_the_encoder_unchanged(QuantizerKind kind)
    {
        using var scope = NewDisposeScope();
        var q = QuantizerFactory.Create(16, 4, TinyCodebook.Options(kind));
        var latent = randn(2, 4, 3, 3).requires_grad_(true);
        var output = q.Forward(latent, 0);
        var upstream = randn(2, 4, 3, 3);
        (output.Quantized * upstream).sum().backward();
        Assert.True(latent.grad!.eq(upstream).all().item<bool>(), "dL/dz must equal dL/d(decoder input) exactly");
        Assert.True(IsZero(q.Prototypes.grad), "the decoder's gradient must not reach the prototypes");
    }

    [Fact]
    public void Quantized_output_is_the_nearest_prototype_in_the_forward_pass()
    {
        using var scope = NewDisposeScope();
        var q = TinyCodebook.Create(TinyCodebook.Options(QuantizerKind.NeuralGas));
        var output = q.Forward(TinyCodebook.LatentTensor(), 0);
        Assert.Equal(new double[] { 0, 0 }, TinyCodebook.Row(output.Quantized.reshape(-1)));
        Assert.Equal(0L, output.Indices.reshape(-1)[0].item<long>());
    }
}
