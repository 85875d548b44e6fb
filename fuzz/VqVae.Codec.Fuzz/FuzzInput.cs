namespace VqVae.Codec.Fuzz;

/// <summary>An invariant of the code under test does not hold: reported to AFL++ as a crash.</summary>
internal sealed class InvariantException(string message) : Exception(message);

internal static class FuzzInput
{
    /// <summary>The whole input (AFL++ hands it on standard input).</summary>
    public static byte[] ReadAll(Stream stream)
    {
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    public static void Check(bool condition, string what)
    {
        if (!condition) throw new InvariantException(what);
    }
}

/// <summary>Reads numbers from the front of a fuzz input; past its end every read gives zero.</summary>
internal sealed class ByteSource(byte[] data, int start = 0)
{
    private int position = start;

    public int Position => position;
    public int Remaining => Math.Max(0, data.Length - position);

    public byte Byte() => position < data.Length ? data[position++] : (byte)0;

    public int UInt16() => Byte() | (Byte() << 8);

    /// <summary>A value in [0, n).</summary>
    public int Below(int n) => n <= 256 ? Byte() % n : (int)((uint)(UInt16() | (Byte() << 16)) % (uint)n);

    /// <summary>The rest of the input.</summary>
    public ReadOnlyMemory<byte> Rest() => position < data.Length ? data.AsMemory(position) : ReadOnlyMemory<byte>.Empty;
}
