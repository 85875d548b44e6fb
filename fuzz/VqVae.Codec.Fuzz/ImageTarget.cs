using VqVae.Codec.Models.Data;

namespace VqVae.Codec.Fuzz;

/// <summary>
/// The tool's image reader, ImageCodecs.Decode (structure check, header limits, stb_image, EXIF orientation), on
/// any bytes. Clean outcomes: an image, or ImageDecodeException with a reason. On success the image has
/// Width x Height x 3 bytes, sides from 1 to 65535 and at most the pixel limit, and a source format the
/// codec knows (1 to 4 channels of 8 or 16 bits). The harness lowers the pixel limit to 1024 x 1024 so that
/// one input decodes in milliseconds (the default limits are tested in tests/).
/// </summary>
internal static class ImageTarget
{
    private const long MaxPixels = 1024 * 1024;

    /// <summary>Inputs decoded to an image so far (reported by --mutate).</summary>
    public static int Accepted { get; private set; }

    public static void Run(byte[] data)
    {
        RgbImage image;
        try
        {
            image = ImageCodecs.Decode(data, "fuzz", MaxPixels);
        }
        catch (ImageDecodeException e)
        {
            FuzzInput.Check(!string.IsNullOrEmpty(e.Reason), "an image error without a reason");
            return;
        }
        FuzzInput.Check(image.Width is >= 1 and <= ImageCodecs.MaxSide && image.Height is >= 1 and <= ImageCodecs.MaxSide,
            $"an accepted image of {image.Width} x {image.Height} breaks the side limit");
        FuzzInput.Check((long)image.Width * image.Height <= MaxPixels, $"an accepted image of {image.Width} x {image.Height} breaks the pixel limit");
        FuzzInput.Check(image.Pixels.Length == 3 * image.Width * image.Height, "the image has the wrong number of pixel bytes");
        FuzzInput.Check(image.SourceChannels is >= 1 and <= 4 && image.SourceBitsPerChannel is 8 or 16,
            $"a source of {image.SourceChannels} channel(s) of {image.SourceBitsPerChannel} bits");
        Accepted++;
    }

    /// <summary>Seed files: small PNG (RGB and gray), JPEG (two qualities, an odd size) and BMP images of a
    /// gradient with a few edges; fuzz/run.sh adds the CIFAR-10 samples.</summary>
    public static void WriteSeeds(string directory)
    {
        Directory.CreateDirectory(directory);
        var small = Image(16, 12);
        var odd = Image(13, 7);
        File.WriteAllBytes(Path.Combine(directory, "rgb-16x12.png"), ImageCodecs.EncodePng(small));
        File.WriteAllBytes(Path.Combine(directory, "gray-13x7.png"), ImageCodecs.EncodePng(odd, gray: true));
        File.WriteAllBytes(Path.Combine(directory, "q90-16x12.jpg"), ImageCodecs.EncodeJpeg(small, 90));
        File.WriteAllBytes(Path.Combine(directory, "q20-13x7.jpg"), ImageCodecs.EncodeJpeg(odd, 20));
        File.WriteAllBytes(Path.Combine(directory, "rgb-13x7.bmp"), ImageCodecs.EncodeBmp(odd));
    }

    private static RgbImage Image(int w, int h)
    {
        var pixels = new byte[3 * w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int p = 3 * (y * w + x);
                pixels[p] = (byte)(x * 255 / w);
                pixels[p + 1] = (byte)(y * 255 / h);
                pixels[p + 2] = (byte)((x + y) % 4 == 0 ? 255 : 32);
            }
        return new RgbImage(w, h, pixels);
    }
}
