using VqVae.Codec.Models.Quantizers;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Training;

/// <summary>
/// The generalised VQ-VAE loss (eq. 5.4) as the trainer assembles it, in one place so that it can be
/// checked against hand-computed values.
/// </summary>
public static class VqVaeLoss
{
    /// <summary>
    /// The reconstruction term: the mean squared error divided by the training pixels' variance (the VQ-VAE
    /// reference notebook's normalisation, which keeps alpha and eta on the thesis's scale).
    /// </summary>
    public static Tensor Reconstruction(Tensor reconstruction, Tensor images, double dataVariance) =>
        nn.functional.mse_loss(reconstruction, images).DividedBy(dataVariance);

    /// <summary>
    /// Eq. 5.4: reconstruction + alpha * commitment (eq. 5.2) + eta * VQ loss (eq. 5.3), the last two summed
    /// over the quantizer outputs given (one per code level).
    /// </summary>
    public static Tensor Total(Tensor reconstruction, QuantizerOptions options, params QuantizerOutput[] levels)
    {
        var loss = reconstruction;
        foreach (var output in levels) loss = loss.Plus(output.Commitment.Times(options.Alpha)).Plus(output.VqLoss.Times(options.Eta));
        return loss;
    }
}
