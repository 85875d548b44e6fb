using VqVae.Codec.Models.Data;

namespace VqVae.Codec;

/// <summary>A decoded image: 8-bit RGB pixels at the original size, and the code grids they were made from.</summary>
public sealed class VqzImage
{
    private readonly RgbImage image;
    private readonly int[][] grids;

    internal VqzImage(RgbImage image, int[][] grids, int latentWidth, int latentHeight)
    {
        this.image = image;
        this.grids = grids;
        LatentWidth = latentWidth;
        LatentHeight = latentHeight;
    }

    /// <summary>Width in pixels.</summary>
    public int Width => image.Width;

    /// <summary>Height in pixels.</summary>
    public int Height => image.Height;

    /// <summary>The pixels, row by row, 3 bytes (R, G, B) each; a grayscale image has R = G = B.</summary>
    public ReadOnlyMemory<byte> Pixels => image.Pixels;

    /// <summary>Whether the image was coded as grayscale (its PNG is then a grayscale PNG).</summary>
    public bool IsGrayscale => image.SourceIsGray;

    /// <summary>The code grid of level 1, row by row (<see cref="LatentHeight"/> rows of <see cref="LatentWidth"/> codes).</summary>
    public IReadOnlyList<int> Codes => grids[0];

    /// <summary>The code grid of every level sent, level 1 first (one grid for a file without code levels; docs/levels.md).</summary>
    public IReadOnlyList<IReadOnlyList<int>> Levels => grids;

    /// <summary>Codes per row of the grid.</summary>
    public int LatentWidth { get; }

    /// <summary>Rows of the grid.</summary>
    public int LatentHeight { get; }

    /// <summary>The image as a PNG file (grayscale PNG for a grayscale image), as <c>vqz decompress</c> writes it.</summary>
    public byte[] ToPng() => ImageCodecs.EncodePng(image, gray: image.SourceIsGray);

    /// <summary>Writes <see cref="ToPng"/> to <paramref name="path"/>, replacing a file there.</summary>
    public void SavePng(string path) => File.WriteAllBytes(path, ToPng());

    /// <summary>Writes <see cref="ToPng"/> to <paramref name="output"/>.</summary>
    public void SavePng(Stream output) => output.Write(ToPng());

    internal RgbImage Rgb => image;
}
