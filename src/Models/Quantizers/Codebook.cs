using TorchSharp;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Quantizers;

/// <summary>Distances between latent vectors and prototypes, and the lookup of prototypes by index.</summary>
public static class Codebook
{
    /// <summary>d(x, w_z) = ||x - w_z||^2 for every row of <paramref name="z"/> [N, D] and prototype of <paramref name="w"/> [K, D]: [N, K].</summary>
    public static Tensor SquaredDistances(Tensor z, Tensor w)
    {
        using var scope = NewDisposeScope();
        var d = (z.Squared().sum(1, keepdim: true) - z.matmul(w.t()).Times(2)).Plus(w.Squared().sum(1).unsqueeze(0));
        return d.ClampMin(0).MoveToOuterDisposeScope();
    }

    /// <summary>Prototypes for code indices [B, H, W]: latents [B, D, H, W] (the decoder's input when decoding a code grid).</summary>
    public static Tensor Lookup(Tensor w, Tensor indices)
    {
        using var scope = NewDisposeScope();
        var flat = w.index_select(0, indices.reshape(-1));
        var shape = indices.shape;
        return flat.reshape(shape[0], shape[1], shape[2], w.shape[1]).permute(0, 3, 1, 2).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Latents [B, D, H, W] as rows [B*H*W, D] in raster order.</summary>
    public static Tensor Flatten(Tensor latents) =>
        latents.permute(0, 2, 3, 1).reshape(-1, latents.shape[1]);

    /// <summary>Rows [B*H*W, D] back to latents [B, D, H, W].</summary>
    public static Tensor Unflatten(Tensor rows, long[] latentShape) =>
        rows.reshape(latentShape[0], latentShape[2], latentShape[3], latentShape[1]).permute(0, 3, 1, 2);
}
