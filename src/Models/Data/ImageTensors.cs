using static TorchSharp.torch;

namespace VqVae.Codec.Models.Data;

/// <summary>Converts between 8-bit RGB images and network tensors [B, 3, H, W] in [-0.5, 0.5].</summary>
public static class ImageTensors
{
    /// <summary>Same-sized images as one batch tensor, x / 255 - 0.5.</summary>
    public static Tensor ToTensor(IReadOnlyList<RgbImage> images, Device? device = null)
    {
        int w = images[0].Width, h = images[0].Height, plane = w * h;
        var data = new float[images.Count * 3 * plane];
        for (int b = 0; b < images.Count; b++)
        {
            var px = images[b].Pixels;
            if (images[b].Width != w || images[b].Height != h) throw new ArgumentException("images of one batch must have one size");
            int baseIndex = b * 3 * plane;
            for (int p = 0; p < plane; p++)
            {
                data[baseIndex + p] = px[p * 3] / 255f - 0.5f;
                data[baseIndex + plane + p] = px[p * 3 + 1] / 255f - 0.5f;
                data[baseIndex + 2 * plane + p] = px[p * 3 + 2] / 255f - 0.5f;
            }
        }
        var t = tensor(data, [images.Count, 3, h, w]);
        return device is null ? t : t.to(device);
    }

    /// <summary>A batch tensor back to 8-bit images: clamp to [0, 1], scale by 255, round half to even.</summary>
    public static RgbImage[] ToImages(Tensor batch)
    {
        using var cpu = batch.detach().cpu().contiguous();
        int n = (int)cpu.shape[0], h = (int)cpu.shape[2], w = (int)cpu.shape[3], plane = w * h;
        var data = cpu.data<float>().ToArray();
        var result = new RgbImage[n];
        for (int b = 0; b < n; b++)
        {
            var px = new byte[plane * 3];
            int baseIndex = b * 3 * plane;
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < plane; p++)
                    px[p * 3 + c] = ToByte(data[baseIndex + c * plane + p]);
            result[b] = new RgbImage(w, h, px);
        }
        return result;
    }

    /// <summary>A network output value in [-0.5, 0.5] to an 8-bit level.</summary>
    public static byte ToByte(float v)
    {
        float scaled = (v + 0.5f) * 255f;
        if (!(scaled > 0)) return 0;      // also maps NaN to 0
        if (scaled >= 255) return 255;
        return (byte)MathF.Round(scaled, MidpointRounding.ToEven);
    }
}
