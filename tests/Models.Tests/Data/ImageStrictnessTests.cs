using System.Buffers.Binary;
using VqVae.Codec.Models.Data;

namespace VqVae.Codec.Models.Tests.Data;

/// <summary>Issue 13: truncated or corrupt images are refused (never decoded to grey rows or uninitialised memory),
/// top-down BMPs and EXIF orientation are honoured.</summary>
public sealed class ImageStrictnessTests
{
    private static readonly byte[] Photo = File.ReadAllBytes(TestData.Sample("bsds-101027-768x512.jpg"));

    [Theory]
    [InlineData(250)]      // in the headers: decoded from buffers never written, different on every run
    [InlineData(67553)]    // mid-scan: grey rows
    [InlineData(135105)]   // only the end-of-image marker missing
    public void A_truncated_jpeg_is_refused(int length)
    {
        var e = Assert.Throws<ImageDecodeException>(() => ImageCodecs.Decode(Photo[..length], "cut.jpg"));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void The_whole_jpeg_decodes()
    {
        var image = ImageCodecs.Decode(Photo, "photo.jpg");
        Assert.Equal((768, 512), (image.Width, image.Height));
    }

    [Fact]
    public void A_png_with_a_corrupt_chunk_is_refused()
    {
        var png = ImageCodecs.EncodePng(Gradient(40, 30));
        png[png.Length / 2] ^= 0x01;
        var e = Assert.Throws<ImageDecodeException>(() => ImageCodecs.Decode(png, "flipped.png"));
        Assert.Contains("CRC", e.Message);
    }

    [Fact]
    public void A_truncated_bmp_is_refused()
    {
        var bmp = ImageCodecs.EncodeBmp(Gradient(40, 30));
        var e = Assert.Throws<ImageDecodeException>(() => ImageCodecs.Decode(bmp[..(bmp.Length - 100)], "cut.bmp"));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void A_format_whose_completeness_cannot_be_checked_is_not_read()
    {
        var e = Assert.Throws<ImageDecodeException>(() => ImageCodecs.Decode("GIF89a\x01\0\x01\0\0\0\0;"u8.ToArray(), "x.gif"));
        Assert.Contains("not a PNG, JPEG or BMP", e.Message);
    }

    [Fact]
    public void A_top_down_bmp_decodes_to_the_same_pixels_as_the_bottom_up_one()
    {
        var image = Gradient(40, 30);
        var bmp = ImageCodecs.EncodeBmp(image);
        int offset = BinaryPrimitives.ReadInt32LittleEndian(bmp.AsSpan(10));
        int stride = (40 * 24 + 31) / 32 * 4;
        var topDown = (byte[])bmp.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(topDown.AsSpan(22), -30);
        for (int row = 0; row < 30; row++)
            Array.Copy(bmp, offset + row * stride, topDown, offset + (29 - row) * stride, stride);
        Assert.Equal(image.Pixels, ImageCodecs.Decode(bmp, "up.bmp").Pixels);
        var decoded = ImageCodecs.Decode(topDown, "down.bmp");
        Assert.Equal((40, 30), (decoded.Width, decoded.Height));
        Assert.Equal(image.Pixels, decoded.Pixels);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(8)]
    [InlineData(3)]
    public void A_jpeg_is_turned_as_its_exif_orientation_says(int orientation)
    {
        var jpeg = ImageCodecs.EncodeJpeg(Gradient(16, 8), 95);
        var plain = ImageCodecs.Decode(jpeg, "plain.jpg");
        var turned = ImageCodecs.Decode(WithOrientation(jpeg, orientation), "turned.jpg");
        bool swap = orientation >= 5;
        Assert.Equal(swap ? (8, 16) : (16, 8), (turned.Width, turned.Height));
        for (int y = 0; y < turned.Height; y++)
            for (int x = 0; x < turned.Width; x++)
            {
                var (sx, sy) = orientation switch { 6 => (y, 7 - x), 8 => (15 - y, x), _ => (15 - x, 7 - y) };
                Assert.Equal(plain.Pixels[3 * (sy * 16 + sx)], turned.Pixels[3 * (y * turned.Width + x)]);
            }
    }

    /// <summary>The JPEG with an EXIF APP1 segment (big-endian TIFF, IFD0 holding only the orientation) after SOI.</summary>
    private static byte[] WithOrientation(byte[] jpeg, int orientation)
    {
        byte[] tiff = [(byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte)orientation, 0, 0, 0, 0, 0, 0, 0, 0];
        byte[] exif = [.. "Exif\0\0"u8, .. tiff];
        byte[] app1 = [0xFF, 0xE1, (byte)((exif.Length + 2) >> 8), (byte)(exif.Length + 2), .. exif];
        return [.. jpeg[..2], .. app1, .. jpeg[2..]];
    }

    private static RgbImage Gradient(int w, int h)
    {
        var px = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++)
        {
            px[3 * i] = (byte)(i % w * 255 / w);
            px[3 * i + 1] = (byte)(i / w * 255 / h);
            px[3 * i + 2] = (byte)(i * 7);
        }
        return new RgbImage(w, h, px);
    }
}
