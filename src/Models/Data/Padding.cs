using TorchSharp;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Data;

/// <summary>Pads image tensors to the latent grid: edge replication to the right and bottom.</summary>
public static class Padding
{
    /// <summary>The smallest multiple of <paramref name="factor"/> that is at least <paramref name="size"/>.</summary>
    public static int RoundUp(int size, int factor) => (size + factor - 1) / factor * factor;

    /// <summary>
    /// Pads [B, C, H, W] on the right and bottom to multiples of <paramref name="factor"/> by repeating the
    /// last column and row, which costs fewer bits than zeros (the padded latents look like their neighbours).
    /// </summary>
    public static Tensor ToMultiple(Tensor images, int factor)
    {
        int h = (int)images.shape[2], w = (int)images.shape[3];
        int padH = RoundUp(h, factor) - h, padW = RoundUp(w, factor) - w;
        if (padH == 0 && padW == 0) return images.alias();
        return nn.functional.pad(images, [0, padW, 0, padH], PaddingModes.Replicate);
    }
}
