using TorchSharp;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Priors;

/// <summary>
/// A prior p(z) over code grids, autoregressive in raster order (eq. 3.1): for a batch of grids [B, H, W]
/// (int64 codes) it gives the logits [B, K, H, W] of p(z_ij | z before ij) for every position at once.
/// The logits at a position never depend on the codes at or after it (tested for every prior).
/// </summary>
public abstract class Prior : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates a prior module.</summary>
    protected Prior(string name, PriorArchitecture architecture) : base(name) => Architecture = architecture;

    /// <summary>The architecture the prior was built from.</summary>
    public PriorArchitecture Architecture { get; }

    /// <summary>Whether the prior has trainable parameters (the static priors are set by counting).</summary>
    public virtual bool IsTrainable => true;

    /// <summary>Cross-entropy in nats per code of grids [B, H, W] under the prior (eq. 3.2, negated, averaged).</summary>
    public Tensor NegativeLogLikelihood(Tensor codes)
    {
        using var scope = NewDisposeScope();
        var logits = forward(codes);
        return nn.functional.cross_entropy(logits, codes).MoveToOuterDisposeScope();
    }
}
