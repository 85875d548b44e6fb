using TorchSharp;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Quantizers;

/// <summary>
/// Entropy-constrained VQ in training (Chou, Lookabaugh and Gray 1989, "Entropy-constrained vector
/// quantization"): a latent goes to the code minimising d(x, w_k) + lambda * dbar * l_k instead of the
/// nearest one, where l_k = -log2 p_k is the code's length under the quantizer's code frequencies p (a
/// moving average of its assignments in training) and dbar the moving average of the nearest-prototype
/// distance, so that lambda has no unit (a bit is worth lambda times the mean error). The codebook then
/// learns a few frequent, cheap codes for latents whose refinement is not worth its bits, which an entropy
/// model codes in few bits: the rate goes where the detail is. The statistics are buffers of the model, so
/// the encoder assigns as training did. <see cref="QuantizerOptions.RateLambda"/> = 0 has no constraint
/// (and no buffers: the thesis's nearest prototype, model files unchanged).
/// </summary>
public sealed class RateConstraint : nn.Module
{
    /// <summary>Floor of a code frequency: a code nobody chooses costs at most log2(1e6), about 20 bits.</summary>
    public const double MinFrequency = 1e-6;

    private readonly Tensor frequencies;
    private readonly Tensor meanDistance;
    private readonly double decay;

    /// <summary>A constraint of weight <paramref name="rateLambda"/> for <paramref name="codebookSize"/> codes; statistics decay by <paramref name="decay"/> per step.</summary>
    public RateConstraint(int codebookSize, double rateLambda, double decay) : base(nameof(RateConstraint))
    {
        if (!(rateLambda > 0)) throw new InvalidOptionsException("a rate constraint needs lambda > 0");
        RateLambda = rateLambda;
        this.decay = decay;
        using (var one = ones(codebookSize)) frequencies = one.DividedBy(codebookSize);   // p: uniform until training sees codes
        using (var zero = zeros(1)) meanDistance = zero.Minus(1.0);                      // dbar: negative until the first training batch
        register_buffer("frequencies", frequencies);
        register_buffer("mean_distance", meanDistance);
    }

    /// <summary>lambda: what a bit is worth, in units of the mean nearest-prototype distance.</summary>
    public double RateLambda { get; }

    /// <summary>p [K]: the moving average of the codes' shares of the assignments.</summary>
    public Tensor Frequencies => frequencies;

    /// <summary>dbar [1]: the moving average of the mean nearest-prototype distance (negative before training).</summary>
    public Tensor MeanDistance => meanDistance;

    /// <summary>l_k = -log2 p_k [K], in bits.</summary>
    public Tensor Lengths()
    {
        using var _ = no_grad();
        return frequencies.ClampMin(MinFrequency).log2().neg();
    }

    /// <summary>
    /// The rate term lambda * dbar * l [1, K] added to the distances [N, K] of an assignment, without gradient. Before
    /// any training step has set dbar, a training batch uses its own mean nearest distance and anything else no
    /// rate term at all (the nearest prototype), so that the encoder's codes never depend on what one call sees.
    /// </summary>
    public Tensor Penalty(Tensor distances, bool training)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        Tensor dbar;
        if (meanDistance.item<float>() > 0) dbar = meanDistance;
        else if (training) dbar = distances.detach().min(1).values.mean().reshape(1);
        else return zeros(1, frequencies.shape[0], dtype: distances.dtype, device: distances.device).MoveToOuterDisposeScope();
        return Lengths().unsqueeze(0).mul(dbar.Times(RateLambda)).MoveToOuterDisposeScope();
    }

    /// <summary>A training step's statistics: the nearest distances of <paramref name="distances"/> [N, K] and the codes chosen <paramref name="indices"/> [N].</summary>
    public void Observe(Tensor distances, Tensor indices)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        long n = indices.shape[0], k = frequencies.shape[0];
        var nearest = distances.detach().min(1).values.mean().reshape(1);
        if (meanDistance.item<float>() > 0) meanDistance.Mul_(decay).Add_(nearest, 1 - decay);
        else meanDistance.copy_(nearest);
        var shares = bincount(indices.reshape(-1), minlength: k).to_type(frequencies.dtype).DividedBy(n);
        frequencies.Mul_(decay).Add_(shares, 1 - decay);
    }
}
