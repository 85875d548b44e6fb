namespace VqVae.Codec.Models.Data;

/// <summary>An 8-bit RGB image, rows top to bottom, pixels interleaved R, G, B.</summary>
public sealed record RgbImage(int Width, int Height, byte[] Pixels)
{
    /// <summary>Channels of the decoded source before conversion to RGB (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA).</summary>
    public int SourceChannels { get; init; } = 3;

    /// <summary>Bits per channel of the source (8 or 16); 16-bit sources are reduced to 8 bits.</summary>
    public int SourceBitsPerChannel { get; init; } = 8;

    /// <summary>Whether the source was grayscale (1 or 2 channels).</summary>
    public bool SourceIsGray => SourceChannels <= 2;

    /// <summary>Whether the source had an alpha channel, which is dropped.</summary>
    public bool SourceHasAlpha => SourceChannels is 2 or 4;

    /// <summary>A crop of this image (copied).</summary>
    public RgbImage Crop(int x, int y, int width, int height)
    {
        if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > Width || y + height > Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"crop {width}x{height}+{x}+{y} outside {Width}x{Height}");
        var pixels = new byte[width * height * 3];
        for (int row = 0; row < height; row++)
            Array.Copy(Pixels, ((y + row) * Width + x) * 3, pixels, row * width * 3, width * 3);
        return this with { Width = width, Height = height, Pixels = pixels };
    }
}
