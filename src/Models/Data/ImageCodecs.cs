using StbImageSharp;
using StbImageWriteSharp;

namespace VqVae.Codec.Models.Data;

/// <summary>Reads PNG, JPEG and BMP (complete files only, see <see cref="ImageStructure"/>) and writes PNG and BMP.</summary>
public static class ImageCodecs
{
    /// <summary>File extensions read as images.</summary>
    public static readonly IReadOnlySet<string> Extensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".bmp" };

    /// <summary>Whether a file or entry name has an image extension.</summary>
    public static bool IsImageName(string name) => Extensions.Contains(Path.GetExtension(name));

    /// <summary>Largest image file read: 1 GiB, above any PNG of <see cref="MaxPixels"/> pixels that compresses at all,
    /// and far below what would exhaust memory (checked before reading).</summary>
    public const long MaxFileBytes = 1L << 30;

    /// <summary>Largest side accepted before decoding (checked from the header, before pixels are allocated):
    /// 65535, as the .vqz limits (spec §9), so every image read can be written.</summary>
    public const int MaxSide = 65535;

    /// <summary>Most pixels accepted before decoding: 2^28, as the .vqz limits.</summary>
    public const long MaxPixels = 1L << 28;

    /// <summary>
    /// Refuses an image file from its header alone (read from the start of the file, not the whole file) when its
    /// declared size is outside the limits: sides up to <see cref="MaxSide"/>, at most <paramref name="maxPixels"/> pixels.
    /// </summary>
    public static void CheckHeader(string path, long maxPixels = MaxPixels)
    {
        if (Files.FileStatus.Of(path, followLinks: true).Kind != Files.FileKind.Regular)
            throw new ImageDecodeException(path, "not a regular file");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        if (ImageStructure.DeclaredSize(stream) is { } size) CheckSize(size.Width, size.Height, path, maxPixels);
    }

    private static ImageInfo Probe(Stream stream, string source)
    {
        ImageInfo? info;
        try
        {
            info = ImageInfo.FromStream(stream);
        }
        catch (Exception e)
        {
            throw new ImageDecodeException(source, $"not a readable image: {e.Message}", e);
        }
        return info ?? throw new ImageDecodeException(source, "not a PNG, JPEG or BMP image");
    }

    private static void CheckSize(long width, long height, string source, long maxPixels)
    {
        if (width <= 0 || height <= 0 || width > MaxSide || height > MaxSide)
            throw new ImageDecodeException(source, $"image size {width}x{height} is outside the limits (sides from 1 to {MaxSide})");
        if (width * height > maxPixels)
            throw new ImageDecodeException(source, $"image size {width}x{height} is more than the {maxPixels}-pixel limit (--max-pixels)");
    }

    /// <summary>Decodes image bytes to 8-bit RGB; gray is replicated, alpha dropped, 16-bit reduced to 8-bit, a JPEG
    /// turned as its EXIF orientation says. A truncated or corrupt file is an ImageDecodeException.</summary>
    public static RgbImage Decode(byte[] bytes, string source) => Decode(bytes, source, MaxPixels);

    /// <summary>As <see cref="Decode(byte[], string)"/>, with at most <paramref name="maxPixels"/> pixels.</summary>
    public static RgbImage Decode(byte[] bytes, string source, long maxPixels)
    {
        using var probe = new MemoryStream(bytes, writable: false);
        if (ImageStructure.DeclaredSize(probe) is { } size) CheckSize(size.Width, size.Height, source, maxPixels);
        var structure = ImageStructure.Check(bytes, source);
        probe.Position = 0;
        var i = Probe(probe, source);
        // stb_image's probe gives a top-down BMP's height as stored: negative.
        CheckSize(i.Width, Math.Abs((long)i.Height), source, maxPixels);
        ImageResult result;
        try
        {
            result = ImageResult.FromMemory(bytes, StbImageSharp.ColorComponents.RedGreenBlue);
        }
        catch (Exception e)
        {
            throw new ImageDecodeException(source, $"corrupt image data: {e.Message}", e);
        }
        if (result?.Data is null || result.Data.Length != result.Width * result.Height * 3)
            throw new ImageDecodeException(source, "corrupt image data");
        var image = new RgbImage(result.Width, result.Height, result.Data)
        {
            SourceChannels = (int)i.ColorComponents,
            SourceBitsPerChannel = i.BitsPerChannel,
        };
        return ExifOrientation.Apply(image, structure.Orientation);
    }

    /// <summary>Encodes 8-bit RGB as PNG, or as grayscale PNG when <paramref name="gray"/> (the R channel).</summary>
    public static byte[] EncodePng(RgbImage image, bool gray = false) => Encode(image, gray, bmp: false);

    /// <summary>Encodes 8-bit RGB as JPEG at <paramref name="quality"/> (1..100), 4:2:0 as stb_image_write does.</summary>
    public static byte[] EncodeJpeg(RgbImage image, int quality)
    {
        using var stream = new MemoryStream();
        new ImageWriter().WriteJpg(image.Pixels, image.Width, image.Height, StbImageWriteSharp.ColorComponents.RedGreenBlue, stream, quality);
        return stream.ToArray();
    }

    /// <summary>Bilinear resize (pixel centres aligned), for making test images of a given size.</summary>
    public static RgbImage Resize(RgbImage image, int width, int height)
    {
        var pixels = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            double sy = Math.Clamp((y + 0.5) * image.Height / height - 0.5, 0, image.Height - 1);
            int y0 = (int)sy, y1 = Math.Min(y0 + 1, image.Height - 1);
            double fy = sy - y0;
            for (int x = 0; x < width; x++)
            {
                double sx = Math.Clamp((x + 0.5) * image.Width / width - 0.5, 0, image.Width - 1);
                int x0 = (int)sx, x1 = Math.Min(x0 + 1, image.Width - 1);
                double fx = sx - x0;
                for (int c = 0; c < 3; c++)
                {
                    double top = image.Pixels[(y0 * image.Width + x0) * 3 + c] * (1 - fx) + image.Pixels[(y0 * image.Width + x1) * 3 + c] * fx;
                    double bottom = image.Pixels[(y1 * image.Width + x0) * 3 + c] * (1 - fx) + image.Pixels[(y1 * image.Width + x1) * 3 + c] * fx;
                    pixels[(y * width + x) * 3 + c] = (byte)Math.Round(top * (1 - fy) + bottom * fy);
                }
            }
        }
        return new RgbImage(width, height, pixels);
    }

    /// <summary>Encodes 8-bit RGB as BMP (grayscale written as RGB, as BMP readers expect).</summary>
    public static byte[] EncodeBmp(RgbImage image) => Encode(image, gray: false, bmp: true);

    private static byte[] Encode(RgbImage image, bool gray, bool bmp)
    {
        using var stream = new MemoryStream();
        var writer = new ImageWriter();
        if (gray && !bmp)
        {
            var luma = new byte[image.Width * image.Height];
            for (int p = 0; p < luma.Length; p++) luma[p] = image.Pixels[p * 3];
            writer.WritePng(luma, image.Width, image.Height, StbImageWriteSharp.ColorComponents.Grey, stream);
        }
        else if (bmp)
            writer.WriteBmp(image.Pixels, image.Width, image.Height, StbImageWriteSharp.ColorComponents.RedGreenBlue, stream);
        else
            writer.WritePng(image.Pixels, image.Width, image.Height, StbImageWriteSharp.ColorComponents.RedGreenBlue, stream);
        return stream.ToArray();
    }
}
