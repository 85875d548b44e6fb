using static TorchSharp.torch;

namespace VqVae.Codec.Models.Quantizers;

/// <summary>
/// Plain fuzzy c-means in the VQ-VAE loss (section 5.1.2, eq. 5.6): the distances are weighted by
/// w_z(x)^m, which is not a posterior (the weights sum to between K^(1-m) and 1). Sampling for
/// section 5.1.3 uses the memberships w_z(x).
/// </summary>
public sealed class FcmQuantizer(int codebookSize, int latentDim, QuantizerOptions options)
    : Quantizer(nameof(FcmQuantizer), codebookSize, latentDim, options)
{
    /// <inheritdoc/>
    protected override bool PosteriorIsDifferentiable => true;

    /// <inheritdoc/>
    public override Tensor Posterior(Tensor distances, double progress) =>
        FuzzyMemberships.LogMemberships(distances, Options.Fuzzifier, Options.FcmDistance).exp();

    /// <summary>w_z(x)^m (eq. 4.5 / 5.6).</summary>
    public override Tensor LossWeights(Tensor distances, double progress) =>
        FuzzyMemberships.LogMemberships(distances, Options.Fuzzifier, Options.FcmDistance).Times(Options.Fuzzifier).exp();
}

/// <summary>Fuzzy c-means memberships as the posterior: q(z|x) = w_z(x) (eq. 4.6), giving the loss of eq. 5.7.</summary>
public sealed class FcmMembershipQuantizer(int codebookSize, int latentDim, QuantizerOptions options)
    : Quantizer(nameof(FcmMembershipQuantizer), codebookSize, latentDim, options)
{
    /// <inheritdoc/>
    protected override bool PosteriorIsDifferentiable => true;

    /// <inheritdoc/>
    public override Tensor Posterior(Tensor distances, double progress) =>
        FuzzyMemberships.LogMemberships(distances, Options.Fuzzifier, Options.FcmDistance).exp();
}

/// <summary>The normalised fuzzy c-means posterior q(z|x) = w_z(x)^m / D_w(x), D_w(x) = sum_z w_z(x)^m (eq. 4.7).</summary>
public sealed class FcmNormalizedQuantizer(int codebookSize, int latentDim, QuantizerOptions options)
    : Quantizer(nameof(FcmNormalizedQuantizer), codebookSize, latentDim, options)
{
    /// <inheritdoc/>
    protected override bool PosteriorIsDifferentiable => true;

    /// <inheritdoc/>
    public override Tensor Posterior(Tensor distances, double progress) =>
        FuzzyMemberships.LogMemberships(distances, Options.Fuzzifier, Options.FcmDistance).Times(Options.Fuzzifier).softmax(1);
}
