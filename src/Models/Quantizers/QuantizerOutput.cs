using static TorchSharp.torch;

namespace VqVae.Codec.Models.Quantizers;

/// <summary>
/// What every quantizer returns for a batch of latents (one contract for all, in the manner of
/// vector-quantize-pytorch's `quantized, indices, loss = vq(x)`).
/// </summary>
/// <param name="Quantized">Decoder input [B, D, H, W]: z + sg(w - z), the straight-through estimator (section 5.1).</param>
/// <param name="Indices">gamma(x) = argmin_z d(z_theta(x), w_z) for every latent, [B, H, W] int64.</param>
/// <param name="Posterior">q(z | x) [N, K] (N = B*H*W), detached; null where the quantizer has none.</param>
/// <param name="Commitment">Eq. 5.2 without alpha: posterior-weighted distance to sg(prototypes), per dimension.</param>
/// <param name="VqLoss">Eq. 5.3 without eta: posterior-weighted distance from sg(latents), per dimension.</param>
public sealed record QuantizerOutput(
    Tensor Quantized, Tensor Indices, Tensor? Posterior, Tensor Commitment, Tensor VqLoss)
{
    /// <summary>The encoder's latents as rows [N, D], detached (for codebook maintenance after the step).</summary>
    public required Tensor Latents { get; init; }

    /// <summary>Root mean square of the encoder's latents (a divergence diagnostic).</summary>
    public double LatentRms { get; init; }

    /// <summary>Root mean square of the prototypes (a divergence diagnostic).</summary>
    public double CodebookRms { get; init; }

    /// <summary>Moves every tensor of the output to the enclosing dispose scope (for callers with a scope of their own).</summary>
    public QuantizerOutput MoveToOuterDisposeScope()
    {
        Quantized.MoveToOuterDisposeScope();
        Indices.MoveToOuterDisposeScope();
        Posterior?.MoveToOuterDisposeScope();
        Commitment.MoveToOuterDisposeScope();
        VqLoss.MoveToOuterDisposeScope();
        Latents.MoveToOuterDisposeScope();
        return this;
    }
}
