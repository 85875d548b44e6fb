using TorchSharp;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Quantizers;

/// <summary>
/// Vanilla VQ-VAE (section 5.1.1): the k-means posterior q(z|x) = 1 for the nearest prototype, 0 otherwise
/// (section 4.1.2), which turns eq. 5.4 into the original VQ-VAE loss, eq. 5.5.
/// </summary>
public sealed class KMeansQuantizer(int codebookSize, int latentDim, QuantizerOptions options)
    : Quantizer(nameof(KMeansQuantizer), codebookSize, latentDim, options)
{
    /// <inheritdoc/>
    public override Tensor Posterior(Tensor distances, double progress) => OneHotNearest(distances);

    /// <summary>The one-hot posterior on argmin d: [N, K].</summary>
    internal static Tensor OneHotNearest(Tensor distances)
    {
        using var scope = NewDisposeScope();
        var nearest = distances.detach().argmin(1);
        return nn.functional.one_hot(nearest, distances.shape[1]).to_type(distances.dtype).MoveToOuterDisposeScope();
    }
}
