namespace VqVae.Codec.Models.Networks;

/// <summary>One convolution along one axis: kernel, stride, zero padding, and whether it is transposed.</summary>
public readonly record struct ConvAxis(int Kernel, int Stride, int Padding, bool Transposed = false)
{
    /// <summary>
    /// The input positions [lo, hi] that outputs [outLo, outHi] read. A convolution's output o reads inputs
    /// s*o - p .. s*o - p + k - 1; a transposed convolution's output y receives input x when
    /// y = s*x - p + t for some tap t in 0..k-1, so x in ceil((y + p - k + 1) / s) .. floor((y + p) / s).
    /// </summary>
    public (long Lo, long Hi) InputsOf(long outLo, long outHi) => Transposed
        ? (CeilDiv(outLo + Padding - Kernel + 1, Stride), FloorDiv(outHi + Padding, Stride))
        : (Stride * outLo - Padding, Stride * outHi - Padding + Kernel - 1);

    internal static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);
    internal static long CeilDiv(long a, long b) => -FloorDiv(-a, b);
}

/// <summary>
/// The receptive fields of the encoder and decoder (<see cref="Encoder"/>, <see cref="Decoder"/>), computed from
/// the architecture in this one place, and the margin in latents that a tile needs around the part it keeps
/// so that the kept codes and pixels are those of the untiled network (issue 13).
///
/// The layers, per axis: the encoder is log2(f) 4x4 stride-2 convolutions (padding 1), a 3x3 convolution,
/// per residual block a 3x3 then a 1x1 convolution, and a 1x1 projection; the quantizer and every further code
/// level (<see cref="ResidualLevel"/>: 1x1 projections, nearest prototype) work position by position. The
/// decoder is a 3x3 convolution, the residual blocks, and log2(f) 4x4 stride-2 transposed convolutions
/// (padding 1). For the thesis network (f = 4, two residual blocks) latent i reads pixels 4i-15 .. 4i+18 (a
/// 34-pixel receptive field) and pixel 4i..4i+3 is made from latents i-4 .. i+4: margins of 4 latents both ways.
///
/// Why a margin suffices: every layer's zero padding sits at the border of its input; a tile whose first
/// pixel is a multiple of f keeps every layer's grid aligned with the untiled one (4x4 stride-2, padding 1,
/// maps 2n to n and n to 2n), so an output whose receptive field lies inside the tile reads no padding that
/// the untiled network does not also read (at the image border, the tile's border is the image's).
/// </summary>
public static class ReceptiveField
{
    /// <summary>The encoder's layers along one axis, image first (1x1 layers included: they add nothing).</summary>
    public static IReadOnlyList<ConvAxis> EncoderLayers(VqVaeArchitecture a)
    {
        var layers = new List<ConvAxis>();
        for (int i = 0; i < a.StridedLayers; i++) layers.Add(new ConvAxis(4, 2, 1));
        layers.Add(new ConvAxis(3, 1, 1));
        for (int b = 0; b < a.ResidualBlocks; b++)
        {
            layers.Add(new ConvAxis(3, 1, 1));
            layers.Add(new ConvAxis(1, 1, 0));
        }
        layers.Add(new ConvAxis(1, 1, 0));
        return layers;
    }

    /// <summary>The decoder's layers along one axis, latents first.</summary>
    public static IReadOnlyList<ConvAxis> DecoderLayers(VqVaeArchitecture a)
    {
        var layers = new List<ConvAxis> { new(3, 1, 1) };
        for (int b = 0; b < a.ResidualBlocks; b++)
        {
            layers.Add(new ConvAxis(3, 1, 1));
            layers.Add(new ConvAxis(1, 1, 0));
        }
        for (int i = 0; i < a.StridedLayers; i++) layers.Add(new ConvAxis(4, 2, 1, Transposed: true));
        return layers;
    }

    /// <summary>The input positions [lo, hi] that outputs [outLo, outHi] of <paramref name="layers"/> (first layer first) depend on.</summary>
    public static (long Lo, long Hi) InputsOf(IReadOnlyList<ConvAxis> layers, long outLo, long outHi)
    {
        for (int i = layers.Count - 1; i >= 0; i--) (outLo, outHi) = layers[i].InputsOf(outLo, outHi);
        return (outLo, outHi);
    }

    /// <summary>The pixels [lo, hi] (one axis) that latent 0 is computed from; latent i reads these shifted by f*i.</summary>
    public static (long Lo, long Hi) EncoderPixels(VqVaeArchitecture a) => InputsOf(EncoderLayers(a), 0, 0);

    /// <summary>The latents [lo, hi] (one axis) that pixels 0..f-1 (the block of latent 0) are computed from.</summary>
    public static (long Lo, long Hi) DecoderLatents(VqVaeArchitecture a) => InputsOf(DecoderLayers(a), 0, a.Downsampling - 1);

    /// <summary>Latents a tile needs before (Before) and after (After) the latents whose codes it keeps.</summary>
    public static (int Before, int After) EncoderMargin(VqVaeArchitecture a)
    {
        int f = a.Downsampling;
        var (lo, hi) = EncoderPixels(a);
        // Kept latents c0..c1-1 read pixels f*c0 + lo .. f*(c1-1) + hi; the tile's pixels are f*e0 .. f*e1 - 1.
        return ((int)ConvAxis.CeilDiv(Math.Max(0, -lo), f), (int)Math.Max(0, ConvAxis.CeilDiv(hi + 1, f) - 1));
    }

    /// <summary>Latents a tile needs before and after the latents whose pixels it keeps.</summary>
    public static (int Before, int After) DecoderMargin(VqVaeArchitecture a)
    {
        var (lo, hi) = DecoderLatents(a);
        return ((int)Math.Max(0, -lo), (int)Math.Max(0, hi));
    }

    /// <summary>The margin (latents, every side) of both networks' tiles: the largest of the four.</summary>
    public static int Margin(VqVaeArchitecture a)
    {
        var e = EncoderMargin(a);
        var d = DecoderMargin(a);
        return Math.Max(Math.Max(e.Before, e.After), Math.Max(d.Before, d.After));
    }
}
