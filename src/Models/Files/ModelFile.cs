using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace VqVae.Codec.Models.Files;

/// <summary>Element type of a stored tensor.</summary>
public enum StoredType : byte
{
    /// <summary>IEEE-754 binary32, little-endian.</summary>
    Float32 = 0,
    /// <summary>Two's-complement 64-bit integer, little-endian.</summary>
    Int64 = 1,
}

/// <summary>A named tensor as stored: shape and raw little-endian bytes.</summary>
public sealed record StoredTensor(string Name, StoredType Type, long[] Shape, byte[] Data)
{
    /// <summary>Bytes per element of <paramref name="type"/>.</summary>
    public static int ElementSize(StoredType type) => type == StoredType.Float32 ? 4 : 8;
}

/// <summary>
/// One model file: a JSON header (kind, name, architecture, training record), named tensors, and the
/// SHA-256 of everything before it, which is the model's identity in .vqz headers (spec/model-file.md).
///
/// Layout (little-endian): "VQZMODEL" | u16 version=1 | u32 jsonLength | json (UTF-8) | u32 tensorCount |
/// per tensor: u16 nameLength | name | u8 type | u8 rank | rank x i64 dims | data | then 32 bytes SHA-256.
/// </summary>
public sealed record ModelFile(JsonObject Header, IReadOnlyList<StoredTensor> Tensors)
{
    private static readonly byte[] Magic = "VQZMODEL"u8.ToArray();
    private const ushort Version = 1;
    private const int DigestLength = 32;

    /// <summary>Limits on what a reader accepts, checked before allocation.</summary>
    public static class Limits
    {
        /// <summary>1 GiB: far above any model here (a few MB), below what would exhaust memory.</summary>
        public const long MaxFileBytes = 1L << 30;
        /// <summary>A header is a few KB of JSON.</summary>
        public const int MaxJsonBytes = 1 << 20;
        /// <summary>A network has tens to hundreds of tensors.</summary>
        public const int MaxTensors = 100_000;
        /// <summary>No tensor here has more than 4 dimensions; 8 leaves room.</summary>
        public const int MaxRank = 8;
    }

    /// <summary>Whether <paramref name="bytes"/> start like a model file (its 8-byte magic), to tell it from other files.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> bytes) => bytes.StartsWith(Magic);

    /// <summary>The kind recorded in the header ("vqvae", "prior").</summary>
    public string Kind => StringField("kind");

    /// <summary>The model's name recorded in the header.</summary>
    public string Name => StringField("name");

    /// <summary>A string field of the header; "" when it is absent or not a string (a hostile file must not
    /// make a reader throw anything but ModelFileException).</summary>
    private string StringField(string name) => Header[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";

    /// <summary>Serialises the file; the last 32 bytes are the SHA-256 of the rest.</summary>
    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Version);
            var json = Encoding.UTF8.GetBytes(Header.ToJsonString());
            w.Write(json.Length);
            w.Write(json);
            w.Write(Tensors.Count);
            foreach (var t in Tensors)
            {
                var name = Encoding.UTF8.GetBytes(t.Name);
                w.Write((ushort)name.Length);
                w.Write(name);
                w.Write((byte)t.Type);
                w.Write((byte)t.Shape.Length);
                foreach (var d in t.Shape) w.Write(d);
                w.Write(t.Data);
            }
        }
        var body = stream.ToArray();
        var result = new byte[body.Length + DigestLength];
        body.CopyTo(result, 0);
        SHA256.HashData(body, result.AsSpan(body.Length));
        return result;
    }

    /// <summary>The identity of serialised model bytes: their stored (and verified) SHA-256.</summary>
    public static byte[] DigestOf(ReadOnlySpan<byte> bytes) => bytes[^DigestLength..].ToArray();

    /// <summary>Parses and verifies model file bytes; <paramref name="path"/> names the source in errors.</summary>
    public static ModelFile Parse(ReadOnlySpan<byte> bytes, string path)
    {
        var r = new SpanReader(bytes, path);
        if (bytes.Length < Magic.Length + 2 + 4 + 4 + DigestLength)
            throw new ModelFileException(path, bytes.Length, "file", "too short to be a model file");
        if (bytes.Length > Limits.MaxFileBytes)
            throw new ModelFileException(path, 0, "file", $"larger than the {Limits.MaxFileBytes}-byte limit");
        if (!bytes[..Magic.Length].SequenceEqual(Magic))
            throw new ModelFileException(path, 0, "magic", "not a vqz model file (magic is not VQZMODEL)");
        var body = bytes[..^DigestLength];
        Span<byte> digest = stackalloc byte[DigestLength];
        SHA256.HashData(body, digest);
        if (!digest.SequenceEqual(bytes[^DigestLength..]))
            throw new ModelFileException(path, body.Length, "digest", "SHA-256 does not match the content: the file is corrupt");
        r = new SpanReader(body, path) { Offset = Magic.Length };
        ushort version = r.U16("version");
        if (version != Version)
            throw new ModelFileException(path, Magic.Length, "version", $"unsupported model file version {version} (this reader knows {Version})");
        int jsonLength = r.Length("header.jsonLength", Limits.MaxJsonBytes, 1);
        var jsonOffset = r.Offset;
        JsonObject header;
        try
        {
            header = JsonNode.Parse(r.Bytes(jsonLength, "header.json")) as JsonObject
                     ?? throw new ModelFileException(path, jsonOffset, "header.json", "header is not a JSON object");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new ModelFileException(path, jsonOffset, "header.json", $"header is not valid JSON: {e.Message}");
        }
        int count = r.Length("tensorCount", Limits.MaxTensors, 1);
        var tensors = new List<StoredTensor>(Math.Min(count, 1024));
        for (int i = 0; i < count; i++)
        {
            string field = $"tensor[{i}]";
            int nameLength = r.U16(field + ".nameLength");
            var name = Encoding.UTF8.GetString(r.Bytes(nameLength, field + ".name"));
            byte type = r.U8(field + ".type");
            if (type > (byte)StoredType.Int64)
                throw new ModelFileException(path, r.Offset - 1, field + ".type", $"unknown element type {type}");
            int rank = r.U8(field + ".rank");
            if (rank > Limits.MaxRank)
                throw new ModelFileException(path, r.Offset - 1, field + ".rank", $"rank {rank} exceeds {Limits.MaxRank}");
            var shape = new long[rank];
            long elements = 1;
            for (int k = 0; k < rank; k++)
            {
                shape[k] = r.I64(field + ".shape");
                if (shape[k] < 0 || shape[k] > Limits.MaxFileBytes)
                    throw new ModelFileException(path, r.Offset - 8, field + ".shape", $"dimension {shape[k]} out of range");
                elements *= shape[k];
                if (elements > Limits.MaxFileBytes)
                    throw new ModelFileException(path, r.Offset - 8, field + ".shape", "tensor larger than the file limit");
            }
            long byteCount = elements * StoredTensor.ElementSize((StoredType)type);
            tensors.Add(new StoredTensor(name, (StoredType)type, shape, r.Bytes(checked((int)Math.Min(byteCount, int.MaxValue)), field + ".data").ToArray()));
        }
        if (r.Offset != body.Length)
            throw new ModelFileException(path, r.Offset, "file", $"{body.Length - r.Offset} unexpected bytes after the last tensor");
        return new ModelFile(header, tensors);
    }

    /// <summary>Reads, verifies and parses a model file.</summary>
    public static ModelFile Read(string path) => Parse(ReadBytes(path), path);

    /// <summary>The bytes of a model file, its size checked against <see cref="Limits.MaxFileBytes"/> before reading.</summary>
    public static byte[] ReadBytes(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"model file not found: {path}", path);
        if (info.Length > Limits.MaxFileBytes)
            throw new ModelFileException(path, 0, "file", $"larger than the {Limits.MaxFileBytes}-byte limit");
        return File.ReadAllBytes(path);
    }

    private ref struct SpanReader(ReadOnlySpan<byte> bytes, string path)
    {
        private readonly ReadOnlySpan<byte> bytes = bytes;
        public int Offset;

        public ReadOnlySpan<byte> Bytes(int count, string field)
        {
            if (count < 0 || count > bytes.Length - Offset)
                throw new ModelFileException(path, Offset, field, $"needs {count} bytes, {bytes.Length - Offset} remain (truncated)");
            var s = bytes.Slice(Offset, count);
            Offset += count;
            return s;
        }

        public byte U8(string field) => Bytes(1, field)[0];
        public ushort U16(string field) => BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2, field));
        public long I64(string field) => BinaryPrimitives.ReadInt64LittleEndian(Bytes(8, field));

        public int Length(string field, int max, int minBytesEach)
        {
            int value = BinaryPrimitives.ReadInt32LittleEndian(Bytes(4, field));
            if (value < 0 || value > max || (long)value * minBytesEach > bytes.Length - Offset)
                throw new ModelFileException(path, Offset - 4, field, $"declared length {value} exceeds the limit or the remaining {bytes.Length - Offset} bytes");
            return value;
        }
    }
}
