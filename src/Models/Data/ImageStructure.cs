using System.Buffers.Binary;
using System.IO.Hashing;

namespace VqVae.Codec.Models.Data;

/// <summary>
/// Checks that an image file is complete before stb_image decodes it. stb_image is lenient: past the end of its
/// input it reads zeros, so a JPEG cut in its scan data decodes to grey rows and a BMP cut short to black ones,
/// and a JPEG cut in its headers leaves buffers that were never written (different pixels on every run). Decision
/// (issue 13): keep StbImageSharp, whose JPEG decoding the training data and the golden files were made with, and
/// make it strict here, for the formats whose completeness can be checked from their structure — PNG (every chunk
/// whole with its CRC, IEND), JPEG (every segment whole, scan data ended by a marker, EOI) and uncompressed BMP (the pixel
/// bytes the header declares are present). Other formats stb_image reads (GIF, TGA, PSD) cannot be checked so and
/// are not read (PGM/PPM never were: StbImageSharp's header probe does not know them). SkiaSharp, the alternative, decodes JPEG with libjpeg-turbo:
/// other pixels than stb_image for every JPEG of the training data.
/// </summary>
internal static class ImageStructure
{
    /// <summary>The formats read.</summary>
    public enum Format { Png, Jpeg, Bmp }

    /// <summary>A complete file's format and its EXIF orientation (1..8; 1 = as stored).</summary>
    public readonly record struct Checked(Format Format, int Orientation);

    /// <summary>The format and orientation of <paramref name="bytes"/>; ImageDecodeException when it is not one of
    /// the formats read or is truncated or corrupt in its structure.</summary>
    public static Checked Check(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.StartsWith(PngSignature)) { CheckPng(bytes, source); return new(Format.Png, 1); }
        if (bytes.Length >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) return new(Format.Jpeg, CheckJpeg(bytes, source));
        if (bytes.StartsWith("BM"u8)) { CheckBmp(bytes, source); return new(Format.Bmp, 1); }
        throw new ImageDecodeException(source, "not a PNG, JPEG or BMP image");
    }

    /// <summary>
    /// Width and height as the header of a PNG, JPEG or BMP declares them, read from the start of
    /// <paramref name="stream"/> (a JPEG's frame header may follow large EXIF or ICC segments: they are skipped,
    /// not read); null for another format or a header cut short. Read apart from stb_image, whose probe fails
    /// without a word for a size it finds too large.
    /// </summary>
    public static (long Width, long Height)? DeclaredSize(Stream stream)
    {
        Span<byte> head = stackalloc byte[30];
        int n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        head = head[..n];
        if (head.StartsWith(PngSignature) && n >= 24 && head[12..16].SequenceEqual("IHDR"u8))
            return (BinaryPrimitives.ReadUInt32BigEndian(head[16..]), BinaryPrimitives.ReadUInt32BigEndian(head[20..]));
        if (head.StartsWith("BM"u8) && n >= 26)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(head[14..]) == 12)
                return (BinaryPrimitives.ReadUInt16LittleEndian(head[18..]), BinaryPrimitives.ReadUInt16LittleEndian(head[20..]));
            return (BinaryPrimitives.ReadInt32LittleEndian(head[18..]), Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(head[22..])));
        }
        if (n < 4 || head[0] != 0xFF || head[1] != 0xD8 || !stream.CanSeek) return null;
        long at = 2;
        Span<byte> marker = stackalloc byte[9];
        while (true)
        {
            stream.Position = at;
            if (stream.ReadAtLeast(marker, 4, throwOnEndOfStream: false) < 4 || marker[0] != 0xFF) return null;
            byte m = marker[1];
            int length = BinaryPrimitives.ReadUInt16BigEndian(marker[2..]);
            if (m is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                stream.Position = at;
                if (stream.ReadAtLeast(marker, 9, throwOnEndOfStream: false) < 9) return null;
                return (BinaryPrimitives.ReadUInt16BigEndian(marker[7..]), BinaryPrimitives.ReadUInt16BigEndian(marker[5..]));
            }
            if (m is 0xD9 or 0xDA || length < 2) return null;
            at += 2 + length;
        }
    }

    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static ImageDecodeException Truncated(string source, string what) => new(source, $"truncated or corrupt: {what}");

    private static void CheckPng(ReadOnlySpan<byte> bytes, string source)
    {
        int at = PngSignature.Length;
        while (true)
        {
            if (bytes.Length - at < 12) throw Truncated(source, $"the PNG ends at byte {bytes.Length} before its IEND chunk");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(bytes[at..]);
            if (length > int.MaxValue || length > (uint)(bytes.Length - at - 12))
                throw Truncated(source, $"the PNG chunk at byte {at} declares {length} bytes, more than remain");
            var typeAndData = bytes.Slice(at + 4, 4 + (int)length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(bytes[(at + 8 + (int)length)..]);
            if (Crc32.HashToUInt32(typeAndData) != crc)
                throw Truncated(source, $"CRC error in the PNG {System.Text.Encoding.ASCII.GetString(typeAndData[..4])} chunk at byte {at}");
            if (typeAndData[..4].SequenceEqual("IEND"u8)) return;
            at += 12 + (int)length;
        }
    }

    /// <summary>Walks the segments to EOI; returns the EXIF orientation (1 when there is none).</summary>
    private static int CheckJpeg(ReadOnlySpan<byte> bytes, string source)
    {
        int at = 2, orientation = 1;
        bool frame = false, scan = false;
        while (true)
        {
            if (at >= bytes.Length) throw Truncated(source, $"the JPEG ends at byte {bytes.Length} without its end-of-image marker");
            if (bytes[at] != 0xFF) throw Truncated(source, $"no JPEG marker at byte {at}");
            while (at < bytes.Length && bytes[at] == 0xFF) at++;   // fill bytes
            if (at >= bytes.Length) throw Truncated(source, $"the JPEG ends at byte {bytes.Length} without its end-of-image marker");
            byte marker = bytes[at++];
            if (marker == 0xD9)
            {
                if (!frame || !scan) throw Truncated(source, "the JPEG has no frame or no scan before its end-of-image marker");
                return orientation;
            }
            if (marker is >= 0xD0 and <= 0xD7 or 0x01) continue;
            if (bytes.Length - at < 2) throw Truncated(source, $"the JPEG segment at byte {at - 2} is cut");
            int length = BinaryPrimitives.ReadUInt16BigEndian(bytes[at..]);
            if (length < 2 || length > bytes.Length - at) throw Truncated(source, $"the JPEG segment at byte {at - 2} declares {length} bytes, more than remain");
            var segment = bytes.Slice(at + 2, length - 2);
            at += length;
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC) frame = true;
            else if (marker == 0xE1 && segment.StartsWith("Exif\0\0"u8)) orientation = ExifOrientation.Read(segment[6..]);
            else if (marker == 0xDA)
            {
                scan = true;
                // Entropy-coded data: ends at a marker that is not a stuffed zero or a restart marker.
                while (true)
                {
                    int ff = bytes[at..].IndexOf((byte)0xFF);
                    if (ff < 0 || at + ff + 1 >= bytes.Length) throw Truncated(source, $"the JPEG scan data ends early (file of {bytes.Length} bytes)");
                    at += ff;
                    byte next = bytes[at + 1];
                    if (next == 0x00 || next is >= 0xD0 and <= 0xD7) { at += 2; continue; }
                    if (next == 0xFF) { at += 1; continue; }
                    break;
                }
            }
        }
    }

    private static void CheckBmp(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < 26) throw Truncated(source, "the BMP header is cut");
        long pixelsAt = BinaryPrimitives.ReadUInt32LittleEndian(bytes[10..]);
        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(bytes[14..]);
        long width, height;
        int bpp;
        uint compression = 0;
        if (headerSize == 12)
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(bytes[18..]);
            height = BinaryPrimitives.ReadUInt16LittleEndian(bytes[20..]);
            bpp = BinaryPrimitives.ReadUInt16LittleEndian(bytes[24..]);
        }
        else
        {
            if (bytes.Length < 34) throw Truncated(source, "the BMP header is cut");
            width = BinaryPrimitives.ReadInt32LittleEndian(bytes[18..]);
            height = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(bytes[22..]));   // negative: rows top-down
            bpp = BinaryPrimitives.ReadUInt16LittleEndian(bytes[28..]);
            compression = BinaryPrimitives.ReadUInt32LittleEndian(bytes[30..]);
        }
        if (width <= 0 || height <= 0 || bpp is not (1 or 4 or 8 or 16 or 24 or 32))
            throw new ImageDecodeException(source, $"not a BMP image vqz reads ({width}x{height}, {bpp} bits per pixel)");
        if (compression is not (0 or 3 or 6)) throw new ImageDecodeException(source, $"compressed BMP (method {compression}) is not read");
        long stride = (width * bpp + 31) / 32 * 4;
        long needed = pixelsAt + stride * height;
        if (needed > bytes.Length) throw Truncated(source, $"the BMP declares {width}x{height} pixels in {needed} bytes, the file has {bytes.Length}");
    }
}
