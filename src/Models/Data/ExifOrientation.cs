using System.Buffers.Binary;

namespace VqVae.Codec.Models.Data;

/// <summary>The EXIF orientation tag (0x0112 of IFD0) of a JPEG, and turning pixels as it says.</summary>
internal static class ExifOrientation
{
    /// <summary>The orientation in a TIFF structure (an EXIF APP1 segment after "Exif\0\0"); 1 when absent or unreadable.</summary>
    public static int Read(ReadOnlySpan<byte> tiff)
    {
        if (tiff.Length < 8) return 1;
        bool little = tiff[0] == 'I' && tiff[1] == 'I';
        if (!little && !(tiff[0] == 'M' && tiff[1] == 'M')) return 1;
        ushort U16(ReadOnlySpan<byte> s) => little ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s);
        uint U32(ReadOnlySpan<byte> s) => little ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s);
        uint ifd = U32(tiff[4..]);
        if (ifd > tiff.Length - 2) return 1;
        int count = U16(tiff[(int)ifd..]);
        for (int i = 0; i < count; i++)
        {
            long entry = ifd + 2 + 12L * i;
            if (entry + 12 > tiff.Length) return 1;
            var e = tiff.Slice((int)entry, 12);
            if (U16(e) == 0x0112 && U16(e[2..]) == 3)   // SHORT
            {
                int value = U16(e[8..]);
                return value is >= 1 and <= 8 ? value : 1;
            }
        }
        return 1;
    }

    /// <summary>The image as it is meant to be seen: <paramref name="orientation"/> 2..8 mirror and/or rotate it.</summary>
    public static RgbImage Apply(RgbImage image, int orientation)
    {
        if (orientation is < 2 or > 8) return image;
        int w = image.Width, h = image.Height;
        bool swap = orientation >= 5;
        int ow = swap ? h : w, oh = swap ? w : h;
        var src = image.Pixels;
        var dst = new byte[src.Length];
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++)
            {
                var (sx, sy) = orientation switch
                {
                    2 => (w - 1 - x, y),
                    3 => (w - 1 - x, h - 1 - y),
                    4 => (x, h - 1 - y),
                    5 => (y, x),
                    6 => (y, h - 1 - x),
                    7 => (w - 1 - y, h - 1 - x),
                    _ => (w - 1 - y, x),
                };
                int s = 3 * (sy * w + sx), d = 3 * (y * ow + x);
                dst[d] = src[s];
                dst[d + 1] = src[s + 1];
                dst[d + 2] = src[s + 2];
            }
        return image with { Width = ow, Height = oh, Pixels = dst };
    }
}
