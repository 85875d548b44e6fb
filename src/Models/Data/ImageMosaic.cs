namespace VqVae.Codec.Models.Data;

/// <summary>Lays same-sized images out in a near-square grid with a gap between them (sample sheets).</summary>
public static class ImageMosaic
{
    /// <summary>One image holding <paramref name="images"/> in rows of ceil(sqrt(n)), separated by <paramref name="gap"/> white pixels.</summary>
    public static RgbImage Tile(IReadOnlyList<RgbImage> images, int gap = 2)
    {
        int n = images.Count, columns = (int)Math.Ceiling(Math.Sqrt(n)), rows = (n + columns - 1) / columns;
        int w = images[0].Width, h = images[0].Height;
        int width = columns * w + (columns + 1) * gap, height = rows * h + (rows + 1) * gap;
        var pixels = Enumerable.Repeat((byte)255, width * height * 3).ToArray();
        for (int k = 0; k < n; k++)
        {
            int x0 = gap + (k % columns) * (w + gap), y0 = gap + (k / columns) * (h + gap);
            for (int y = 0; y < h; y++)
                Array.Copy(images[k].Pixels, y * w * 3, pixels, ((y0 + y) * width + x0) * 3, w * 3);
        }
        return new RgbImage(width, height, pixels);
    }
}
