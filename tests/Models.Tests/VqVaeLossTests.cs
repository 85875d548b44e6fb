using VqVae.Codec.Models.Quantizers;
using VqVae.Codec.Models.Training;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Tests;

/// <summary>The loss of eq. 5.4 as the trainer assembles it, against values computed by hand.</summary>
public sealed class VqVaeLossTests
{
    private static QuantizerOutput Terms(float commitment, float vq) =>
        new(zeros(1, 1, 1, 1), zeros(1, 1, 1, ScalarType.Int64), null, tensor(commitment), tensor(vq)) { Latents = zeros(1, 1) };

    [Fact]
    public void Reconstruction_is_the_mse_over_the_data_variance()
    {
        using var scope = NewDisposeScope();
        var images = zeros(1, 1, 1, 2);
        var reconstruction = tensor(new float[] { 0.1f, 0.3f }).reshape(1, 1, 1, 2);
        // mse = (0.1^2 + 0.3^2) / 2 = 0.05; over the variance 0.2: 0.25.
        Assert.Equal(0.25, VqVaeLoss.Reconstruction(reconstruction, images, 0.2).item<float>(), 6);
    }

    [Fact]
    public void Total_is_reconstruction_plus_alpha_commitment_plus_eta_vq_eq_5_4()
    {
        using var scope = NewDisposeScope();
        var options = new QuantizerOptions { Alpha = 0.1, Eta = 2 };
        var loss = VqVaeLoss.Total(tensor(0.25f), options, Terms(commitment: 0.5f, vq: 0.25f));
        // 0.25 + 0.1 * 0.5 + 2 * 0.25 = 0.25 + 0.05 + 0.5 = 0.8 (alpha and eta swapped would give 0.25 + 1 + 0.025 = 1.275).
        Assert.Equal(0.8, loss.item<float>(), 6);
    }

    [Fact]
    public void Total_sums_the_quantizer_terms_of_every_level()
    {
        using var scope = NewDisposeScope();
        var options = new QuantizerOptions { Alpha = 0.1, Eta = 2 };
        var loss = VqVaeLoss.Total(tensor(0.25f), options, Terms(0.5f, 0.25f), Terms(1f, 0.125f));
        // 0.25 + (0.1 * 0.5 + 2 * 0.25) + (0.1 * 1 + 2 * 0.125) = 0.25 + 0.55 + 0.35 = 1.15.
        Assert.Equal(1.15, loss.item<float>(), 6);
    }
}
