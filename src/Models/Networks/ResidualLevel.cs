using TorchSharp;
using TorchSharp.Modules;
using VqVae.Codec.Models.Quantizers;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Networks;

/// <summary>
/// One code level after the first (residual VQ, as in SoundStream, EnCodec and DAC): a 1x1 projection
/// maps what the earlier levels left of the latent, r = z - sum of their contributions, from D to d
/// dimensions; any of the thesis's quantizers picks one of this level's prototypes there; a second 1x1
/// projection maps the prototype back to D, the level's contribution to the decoder's input.
/// </summary>
public sealed class ResidualLevel : nn.Module
{
    private readonly Conv2d down;
    private readonly Conv2d up;
    private readonly Quantizer quantizer;

    /// <summary>A level of <paramref name="a"/> for latents of dimension <paramref name="latentDim"/>.</summary>
    public ResidualLevel(ResidualLevelArchitecture a, int latentDim, QuantizerOptions options) : base(nameof(ResidualLevel))
    {
        Architecture = a.Validate(latentDim);
        down = nn.Conv2d(latentDim, a.Dim, 1, bias: false);
        up = nn.Conv2d(a.Dim, latentDim, 1, bias: false);
        quantizer = QuantizerFactory.Create(a.CodebookSize, a.Dim, options);
        RegisterComponents();
    }

    /// <summary>The level's width and codebook size.</summary>
    public ResidualLevelArchitecture Architecture { get; }

    /// <summary>The level's quantizer, with its codebook of d-dimensional prototypes.</summary>
    public Quantizer Quantizer => quantizer;

    /// <summary>The projection D -> d as a matrix [d, D].</summary>
    public Tensor Down => down.weight!;

    /// <summary>The projection d -> D as a matrix [D, d].</summary>
    public Tensor Up => up.weight!;

    /// <summary>
    /// Training or evaluation: quantizes the residual [B, D, H, W]; returns the contribution [B, D, H, W]
    /// (straight-through inside the projection) and the quantizer's output (its losses are in d dimensions).
    /// </summary>
    public (Tensor Contribution, QuantizerOutput Output) Forward(Tensor residual, double progress)
    {
        using var scope = NewDisposeScope();
        var q = quantizer.Forward(down.forward(residual), progress);
        var contribution = up.forward(q.Quantized);
        return (contribution.MoveToOuterDisposeScope(), q.MoveToOuterDisposeScope());
    }

    /// <summary>The level's code of every residual vector: [B, H, W] int64, the nearest prototype in the projection.</summary>
    public Tensor Encode(Tensor residual) => Encode(residual, CodeChoice.Nearest);

    /// <summary>The level's code of every residual vector as <paramref name="choice"/> picks it in the projection: [B, H, W] int64.</summary>
    public Tensor Encode(Tensor residual, CodeChoice choice)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return quantizer.Encode(down.forward(residual), choice).MoveToOuterDisposeScope();
    }

    /// <summary>The contribution [B, D, H, W] of code grids [B, H, W].</summary>
    public Tensor Decode(Tensor codes)
    {
        using var scope = NewDisposeScope();
        return up.forward(quantizer.Decode(codes)).MoveToOuterDisposeScope();
    }

    /// <summary>Sets the projections and prototypes (levels fitted without back-propagation): down [d, D], up [D, d], prototypes [K, d].</summary>
    public void Assign(Tensor downMatrix, Tensor upMatrix, Tensor prototypes)
    {
        using var _ = no_grad();
        down.weight!.copy_(downMatrix.reshape(down.weight!.shape));
        up.weight!.copy_(upMatrix.reshape(up.weight!.shape));
        quantizer.AssignPrototypes(prototypes);
    }
}
