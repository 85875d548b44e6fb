using VqVae.Codec.Models.Data;
using VqVae.Codec.Models.Quantizers;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Networks;

/// <summary>A rectangle of the latent grid: rows [Top, Top + Height), columns [Left, Left + Width).</summary>
public readonly record struct LatentRect(int Top, int Left, int Height, int Width);

/// <summary>One tile: the latents it keeps (Core) and the latents it runs the network on (Extended, Core plus the margin, cut to the grid).</summary>
public readonly record struct NetworkTile(LatentRect Core, LatentRect Extended);

/// <summary>
/// The encoder and decoder run tile by tile (issue 13), so that their memory is bounded by the tile and not by
/// the image: the latent grid is cut into tiles of <see cref="TilePixels"/> x <see cref="TilePixels"/> pixels
/// (TilePixels / f latents a side), each run with <see cref="ReceptiveField.Margin"/> more latents on every side
/// (fewer at the grid's border), and only its core is kept. The kept codes (nearest prototypes; an
/// entropy-constrained choice prices codes per tile) and pixels are those of the untiled network: the margin
/// covers the receptive field (see <see cref="ReceptiveField"/>). Floats may differ from the
/// untiled network's in the last bits (libtorch's convolutions are not exactly shape-invariant: up to 2.4e-7
/// on the 2026-12-07 machine), so an 8-bit pixel on a rounding boundary can come out one level apart; the
/// tests check that codes are equal and pixels equal but for such rare one-level differences.
/// </summary>
public static class NetworkTiles
{
    /// <summary>
    /// Side of the part of a tile that is kept, in pixels: 512 (128 latents at f = 4, 64 at f = 8). An image of
    /// at most this many pixels a side runs as one tile, exactly as before tiling. The thesis-size network
    /// (128 hidden channels) peaks at a few hundred MB on a 544 x 544 tile (its largest intermediate: 64
    /// channels of 272 x 272 and the unfolded 4x4 windows of the second stride-2 convolution).
    /// </summary>
    public const int TilePixels = 512;

    /// <summary>The kept tile side in latents for a tile side of <paramref name="tilePixels"/> pixels (a multiple of f, at least f).</summary>
    public static int TileLatents(VqVaeArchitecture a, int tilePixels)
    {
        int f = a.Downsampling;
        if (tilePixels < f || tilePixels % f != 0)
            throw new InvalidOptionsException($"the network tile side must be a positive multiple of the downsampling {f}, not {tilePixels}");
        return tilePixels / f;
    }

    /// <summary>The tiles of a latentHeight x latentWidth grid, raster order.</summary>
    public static IReadOnlyList<NetworkTile> Tiles(int latentHeight, int latentWidth, int tileLatents, int margin)
    {
        var tiles = new List<NetworkTile>();
        for (int top = 0; top < latentHeight; top += tileLatents)
            for (int left = 0; left < latentWidth; left += tileLatents)
            {
                int h = Math.Min(tileLatents, latentHeight - top), w = Math.Min(tileLatents, latentWidth - left);
                int et = Math.Max(0, top - margin), el = Math.Max(0, left - margin);
                int eb = Math.Min(latentHeight, top + h + margin), er = Math.Min(latentWidth, left + w + margin);
                tiles.Add(new NetworkTile(new LatentRect(top, left, h, w), new LatentRect(et, el, eb - et, er - el)));
            }
        return tiles;
    }

    /// <summary>Whether a grid is one tile (then callers run the network on the whole image, as before tiling).</summary>
    public static bool IsOneTile(int latentHeight, int latentWidth, int tileLatents) =>
        latentHeight <= tileLatents && latentWidth <= tileLatents;

    /// <summary>
    /// The pixels of latent rows/columns <paramref name="r"/> of <paramref name="image"/> edge-padded to a multiple
    /// of f on the right and bottom (as <see cref="Padding.ToMultiple"/>), as a [1, 3, h*f, w*f] tensor in
    /// [-0.5, 0.5] (the values <see cref="ImageTensors.ToTensor"/> gives).
    /// </summary>
    public static Tensor PixelsOf(RgbImage image, LatentRect r, int f)
    {
        int h = r.Height * f, w = r.Width * f, plane = h * w, y0 = r.Top * f, x0 = r.Left * f;
        var data = new float[3 * plane];
        var px = image.Pixels;
        for (int y = 0; y < h; y++)
        {
            int sy = Math.Min(y0 + y, image.Height - 1);
            for (int x = 0; x < w; x++)
            {
                int s = 3 * (sy * image.Width + Math.Min(x0 + x, image.Width - 1)), p = y * w + x;
                data[p] = px[s] / 255f - 0.5f;
                data[plane + p] = px[s + 1] / 255f - 0.5f;
                data[2 * plane + p] = px[s + 2] / 255f - 0.5f;
            }
        }
        return tensor(data, [1, 3, h, w]);
    }

    /// <summary>
    /// The code grids of the first <paramref name="levels"/> levels of one image (level 1 first, each raster
    /// order, ceil(H/f) x ceil(W/f)), computed tile by tile; each tile's tensors are released before the next.
    /// </summary>
    public static int[][] Encode(VqVaeNetwork network, RgbImage image, int levels, int tileLatents, Device? device = null) =>
        Encode(network, image, levels, tileLatents, CodeChoice.Nearest, device);

    /// <summary>
    /// As <see cref="Encode(VqVaeNetwork, RgbImage, int, int, Device?)"/>, each code as <paramref name="choice"/> picks it
    /// (an entropy-constrained choice estimates its code lengths per tile, margin included).
    /// </summary>
    public static int[][] Encode(VqVaeNetwork network, RgbImage image, int levels, int tileLatents, CodeChoice choice, Device? device = null)
    {
        var a = network.Architecture;
        int f = a.Downsampling;
        int lh = Padding.RoundUp(image.Height, f) / f, lw = Padding.RoundUp(image.Width, f) / f;
        var grids = new int[levels][];
        for (int l = 0; l < levels; l++) grids[l] = new int[lh * lw];
        foreach (var tile in Tiles(lh, lw, tileLatents, ReceptiveField.Margin(a)))
        {
            using var scope = NewDisposeScope();
            var e = tile.Extended;
            var c = tile.Core;
            var x = PixelsOf(image, e, f);
            if (device is not null) x = x.to(device);
            var codes = network.EncodeToLevels(x, levels, choice);
            for (int l = 0; l < levels; l++)
            {
                var kept = codes[l][0].narrow(0, c.Top - e.Top, c.Height).narrow(1, c.Left - e.Left, c.Width);
                var values = kept.cpu().to_type(ScalarType.Int32).contiguous().data<int>().ToArray();
                for (int row = 0; row < c.Height; row++)
                    Array.Copy(values, row * c.Width, grids[l], (c.Top + row) * lw + c.Left, c.Width);
            }
        }
        return grids;
    }

    /// <summary>
    /// The 8-bit RGB image (width x height, interleaved) that code grids of the first n levels (level 1 first,
    /// latentHeight x latentWidth each) decode to, computed tile by tile into the one output buffer.
    /// </summary>
    public static RgbImage Decode(VqVaeNetwork network, IReadOnlyList<int[]> grids, int latentHeight, int latentWidth, int width, int height, int tileLatents, Device? device = null)
    {
        var a = network.Architecture;
        int f = a.Downsampling;
        if (Padding.RoundUp(height, f) / f != latentHeight || Padding.RoundUp(width, f) / f != latentWidth)
            throw new ArgumentException($"a {latentWidth}x{latentHeight} latent grid does not decode to {width}x{height} at downsampling {f}");
        var output = new byte[checked(3 * width * height)];
        foreach (var tile in Tiles(latentHeight, latentWidth, tileLatents, ReceptiveField.Margin(a)))
        {
            using var scope = NewDisposeScope();
            var e = tile.Extended;
            var c = tile.Core;
            var tensors = new Tensor[grids.Count];
            var flat = new long[e.Height * e.Width];
            for (int l = 0; l < grids.Count; l++)
            {
                for (int row = 0; row < e.Height; row++)
                    for (int col = 0; col < e.Width; col++)
                        flat[row * e.Width + col] = grids[l][(e.Top + row) * latentWidth + e.Left + col];
                tensors[l] = tensor(flat, [1L, e.Height, e.Width], device: device);
            }
            var pixels = network.DecodeLevels(tensors);
            // The core's pixels inside the image (the last row and column of tiles reach into the padding).
            int y0 = c.Top * f, x0 = c.Left * f;
            int h = Math.Min(c.Height * f, height - y0), w = Math.Min(c.Width * f, width - x0);
            var kept = pixels[0].narrow(1, y0 - e.Top * f, h).narrow(2, x0 - e.Left * f, w).cpu().contiguous();
            var values = kept.data<float>().ToArray();
            int plane = h * w;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int o = 3 * ((y0 + y) * width + x0 + x), p = y * w + x;
                    output[o] = ImageTensors.ToByte(values[p]);
                    output[o + 1] = ImageTensors.ToByte(values[plane + p]);
                    output[o + 2] = ImageTensors.ToByte(values[2 * plane + p]);
                }
        }
        return new RgbImage(width, height, output);
    }
}
