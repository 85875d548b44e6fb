using TorchSharp;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Quantizers;

/// <summary>
/// k-means with exponential-moving-average codebook updates (VQ-VAE appendix, VQ-VAE-2): the posterior is
/// the k-means one-hot, the prototypes are not trained by gradient but set to the moving average of the
/// latents assigned to them, so the VQ loss (eq. 5.3) is dropped and only the commitment term remains.
/// </summary>
public sealed class EmaQuantizer : Quantizer
{
    private const double Epsilon = 1e-5;
    private readonly Tensor clusterSize;
    private readonly Tensor embedSum;

    /// <summary>Creates the quantizer and its moving-average statistics.</summary>
    public EmaQuantizer(int codebookSize, int latentDim, QuantizerOptions options)
        : base(nameof(EmaQuantizer), codebookSize, latentDim, options, learnedByGradient: false)
    {
        clusterSize = ones(codebookSize);
        embedSum = Prototypes.detach().clone();
        register_buffer("ema_cluster_size", clusterSize);
        register_buffer("ema_embed_sum", embedSum);
    }

    /// <inheritdoc/>
    public override Tensor Posterior(Tensor distances, double progress) => KMeansQuantizer.OneHotNearest(distances);

    /// <inheritdoc/>
    protected override Tensor VqLossFrom(Tensor weights, Tensor distances) => zeros(1).squeeze();

    /// <inheritdoc/>
    protected override void AfterTrainingStep(Tensor z, Tensor indices)
    {
        using var scope = NewDisposeScope();
        double decay = Options.EmaDecay;
        var counts = bincount(indices, minlength: CodebookSize).to_type(ScalarType.Float32);
        var sums = zeros_like(embedSum).IndexAdd_(0, indices, z, 1);
        clusterSize.Mul_(decay).Add_(counts, alpha: 1 - decay);
        embedSum.Mul_(decay).Add_(sums, alpha: 1 - decay);
        var n = clusterSize.sum();
        var smoothed = clusterSize.Plus(Epsilon) / n.Plus(CodebookSize * Epsilon) * n;   // Laplace smoothing
        Prototypes.copy_(embedSum / smoothed.unsqueeze(1));
    }

    /// <inheritdoc/>
    protected override void OnPrototypesReseeded(Tensor codes)
    {
        clusterSize.IndexFill_(0, codes, 1.0);
        embedSum.index_copy_(0, codes, Prototypes.detach().index_select(0, codes));
    }
}
