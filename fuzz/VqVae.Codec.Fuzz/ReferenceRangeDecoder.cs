using VqVae.Codec.Entropy;

namespace VqVae.Codec.Fuzz;

/// <summary>
/// Spec §5.5 transcribed as plainly as possible (64-bit arithmetic, a linear search for the symbol,
/// zeros past the end), as the decoder target's oracle. Symbol i uses table i mod tableCount.
/// </summary>
internal static class ReferenceRangeDecoder
{
    /// <summary>The symbols decoded before any error, the bytes consumed, and the error (null if none).</summary>
    internal sealed record Result(int[] Symbols, long Position, string? Error);

    public static Result Decode(byte[] b, FrequencyTables tables, int count, int tableCount)
    {
        long pos = 0;
        ulong Next()
        {
            ulong value = pos < b.Length ? b[pos] : 0UL;
            pos++;
            return value;
        }

        ulong code = 0;
        for (int i = 0; i < 4; i++) code = (code << 8) | Next();
        ulong range = 0xFFFFFFFF;
        var symbols = new List<int>();
        int k = tables.Alphabet;

        for (int i = 0; i < count; i++)
        {
            var c = tables.Row(i % tableCount);
            ulong r = range >> 16;
            ulong t = code / r;
            if (t >= 65536) return new Result(symbols.ToArray(), pos, $"symbol {i}: t = {t} >= 65536");
            int s = 0;
            for (int j = 0; j < k; j++)
                if ((ulong)c[j] <= t) s = j;
            code -= r * (ulong)c[s];
            range = r * (ulong)(c[s + 1] - c[s]);
            while (range < (1UL << 24))
            {
                range <<= 8;
                code = ((code << 8) | Next()) & 0xFFFFFFFF;
            }
            symbols.Add(s);
        }

        if (b.Length > pos) return new Result(symbols.ToArray(), pos, $"{b.Length - pos} byte(s) after the last symbol");
        return new Result(symbols.ToArray(), pos, null);
    }
}
