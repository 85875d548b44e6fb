using System.Buffers.Binary;
using Microsoft.FSharp.Core;
using VqVae.Codec.Format;

namespace VqVae.Codec.Fuzz;

/// <summary>
/// The .vqz reader (src/Format) on any bytes, with checksum verification off so that mutations reach
/// the parser (as libpng's fuzzer does). Clean outcomes: a file, or VqzFormatException. Checked beyond
/// "no other exception": the error's offset lies in the file and names a field; the stream reader and
/// the verifying reader agree with the span reader; an accepted file's parts tile the bytes, its
/// description serialises, and writing it again gives a file that reads back to the same content.
/// </summary>
internal static class ReaderTarget
{
    private static readonly VqzReaderOptions NoChecksum = new(VqzLimits.Default, false);

    public static void Run(byte[] data)
    {
        var result = Vqz.tryReadDetailed(NoChecksum, data);
        CheckStreamReader(data, result);
        CheckVerifyingReader(data, result);

        if (result.IsError)
        {
            var e = result.ErrorValue;
            FuzzInput.Check(e.Offset >= 0 && e.Offset <= data.Length, $"error offset {e.Offset} outside the file of {data.Length} bytes");
            FuzzInput.Check(!string.IsNullOrEmpty(e.Path) && !string.IsNullOrEmpty(e.Reason), "error without a path or reason");
            _ = new VqzFormatException(e).Message;
            return;
        }

        var read = result.ResultValue;
        CheckPlacement(data, read);
        _ = VqzDescription.toJson(read);
        var again = Vqz.write(read.File);
        var reread = Vqz.readDetailed(VqzReaderOptions.Default, again);
        FuzzInput.Check(SameFile(read.File, reread.File), "a written file does not read back to the file that was written");
    }

    private static void CheckStreamReader(byte[] data, FSharpResult<VqzReadResult, FormatError> expected)
    {
        using var stream = new MemoryStream(data, writable: false);
        try
        {
            var file = Vqz.readStream(NoChecksum, stream);
            FuzzInput.Check(expected.IsOk && SameFile(expected.ResultValue.File, file), "readStream accepted what tryRead did not, or read it differently");
        }
        catch (VqzFormatException e)
        {
            FuzzInput.Check(expected.IsError && e.Error.Equals(expected.ErrorValue), $"readStream failed differently: {e.Message}");
        }
    }

    /// <summary>With verification on, a file whose CRC-32C is right reads exactly as without; any other is
    /// rejected for its checksum unless a check that comes first (length, magic, version) failed (spec §7).</summary>
    private static void CheckVerifyingReader(byte[] data, FSharpResult<VqzReadResult, FormatError> unverified)
    {
        var verified = Vqz.tryReadDetailed(VqzReaderOptions.Default, data);
        bool crcHolds = data.Length >= 16
            && Vqz.checksum(data.AsSpan(0, data.Length - 4)) == BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(data.Length - 4));
        if (crcHolds)
        {
            FuzzInput.Check(verified.IsOk == unverified.IsOk, "checksum verification changed the outcome of a file whose checksum holds");
            if (verified.IsError)
                FuzzInput.Check(verified.ErrorValue.Equals(unverified.ErrorValue), "checksum verification changed the error of a file whose checksum holds");
            return;
        }
        FuzzInput.Check(verified.IsError, "a file with a wrong checksum was accepted");
        var e = verified.ErrorValue;
        FuzzInput.Check(e.Kind == VqzErrorKind.ChecksumMismatch
            || (unverified.IsError && e.Equals(unverified.ErrorValue) && e.Path is "file" or "header.magic" or "header.version"),
            $"a file with a wrong checksum was rejected for another reason found after the checksum: {e.Path}: {e.Reason}");
    }

    private static void CheckPlacement(byte[] data, VqzReadResult read)
    {
        var p = read.Placement;
        var h = read.File.Header;
        var limits = VqzLimits.Default;
        FuzzInput.Check(p.FileLength == data.Length, "placement: file length");
        FuzzInput.Check(p.PayloadOffset + p.PayloadLength + 4 == data.Length, "placement: payload and checksum do not end the file");
        FuzzInput.Check(p.HeaderLength >= 12 && p.HeaderLength <= p.PayloadOffset, "placement: header length");
        FuzzInput.Check(h.Width >= 1 && h.Height >= 1 && h.Width <= limits.MaxSide && h.Height <= limits.MaxSide
            && (long)h.Width * h.Height <= limits.MaxPixels, $"an accepted header of {h.Width} x {h.Height} breaks the limits");
        long end = p.HeaderLength;
        foreach (var c in p.Chunks)
        {
            FuzzInput.Check(c.Offset >= end && c.Offset + c.DataLength <= p.PayloadOffset, "placement: chunks overlap or leave the chunk section");
            end = c.Offset + 1 + c.DataLength;
        }
        FuzzInput.Check(read.File.Payload.Span.SequenceEqual(data.AsSpan((int)p.PayloadOffset, (int)p.PayloadLength)), "the payload is not the bytes before the checksum");
        var streams = VqzLevels.streams(read.File);
        FuzzInput.Check(streams.Length == VqzLevels.count(read.File) && streams.Length is >= 1 and <= 16, "the level streams are not 1 to 16, one per level");
        FuzzInput.Check(streams.Sum(s => (long)s.Length) == p.PayloadLength, "the level streams do not tile the payload");
    }

    private static bool SameFile(VqzFile a, VqzFile b)
    {
        if (!a.Header.Equals(b.Header) || !a.Payload.Span.SequenceEqual(b.Payload.Span) || a.Chunks.Length != b.Chunks.Length) return false;
        return a.Chunks.Zip(b.Chunks).All(pair => SameChunk(pair.First, pair.Second));
    }

    private static bool SameChunk(VqzChunk a, VqzChunk b) => (a, b) switch
    {
        (VqzChunk.Metadata x, VqzChunk.Metadata y) => x.Item.SequenceEqual(y.Item),
        (VqzChunk.ModelNames x, VqzChunk.ModelNames y) => x.Item.SequenceEqual(y.Item),
        (VqzChunk.EmbeddedModels x, VqzChunk.EmbeddedModels y) => x.Item.Length == y.Item.Length
            && x.Item.Zip(y.Item).All(m => m.First.Role.Equals(m.Second.Role) && m.First.Data.Span.SequenceEqual(m.Second.Data.Span)),
        (VqzChunk.GridChecksum x, VqzChunk.GridChecksum y) => x.Item == y.Item,
        (VqzChunk.Levels x, VqzChunk.Levels y) => x.Item.Equals(y.Item),
        (VqzChunk.UnknownOptional x, VqzChunk.UnknownOptional y) => x.chunkType == y.chunkType && x.data.Span.SequenceEqual(y.data.Span),
        _ => false,
    };
}
