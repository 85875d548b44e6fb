using System.Threading;
using VqVae.Codec.Entropy;
using VqVae.Codec.Format;

namespace VqVae.Codec.Fuzz;

/// <summary>
/// The range decoder alone (spec §5.5): the input chooses an alphabet, a few frequency tables (from
/// counts or float32 logits, through the deterministic rounding of spec §6) and a symbol count, and the
/// rest of it is the payload. Clean outcomes: the symbols, or VqzFormatException. Checked beyond that:
/// the decoder gives the same symbols and fails at the same symbol as a plain transcription of §5.5
/// (ReferenceRangeDecoder); it consumes at most 4 + 2 bytes a symbol, so it ends within the symbol
/// count; it reads nothing outside its input (the same bytes inside a larger buffer of guard bytes
/// decode the same); and whatever it decoded, the encoder codes to bytes that decode back to it.
/// One input in four goes through GridCoding.decodeGrid with a static model instead.
/// </summary>
internal static class DecoderTarget
{
    private const byte Guard = 0xA5;

    public static void Run(byte[] data)
    {
        var input = new ByteSource(data);
        byte mode = input.Byte();
        int alphabet = Alphabet(mode, input);
        bool grid = (mode & 0xC0) == 0xC0;
        int tableCount = grid || (mode & 0x10) != 0 || alphabet > 1024 ? 1 : 1 + input.Below(4);
        var tables = (mode & 0x20) != 0 ? FromLogits(input, alphabet, tableCount) : FromCounts(input, alphabet, tableCount);
        int height = 1 + input.Below(alphabet > 1024 ? 8 : 48);
        int width = 1 + input.Below(alphabet > 1024 ? 8 : 48);
        int count = grid ? height * width : input.Below(alphabet > 1024 ? 64 : 2048);
        byte[] payload = input.Rest().ToArray();

        var expected = ReferenceRangeDecoder.Decode(payload, tables, count, tableCount);
        var actual = grid ? DecodeGrid(payload, tables, height, width) : Decode(payload, tables, count, tableCount);
        Compare(expected, actual, "the decoder");

        // The same bytes between guard bytes: a read outside the input would change the outcome.
        var padded = new byte[payload.Length + 16];
        Array.Fill(padded, Guard);
        payload.CopyTo(padded, 8);
        var inside = grid ? DecodeGrid(padded.AsMemory(8, payload.Length), tables, height, width) : Decode(padded.AsMemory(8, payload.Length), tables, count, tableCount);
        Compare(expected, inside, "the decoder on a slice of a larger buffer");

        // A symbol leaves range >= 2^8, so at most two bytes are shifted in per symbol.
        FuzzInput.Check(actual.Position <= 4 + 2L * count, $"the decoder consumed {actual.Position} bytes for {count} symbols");

        // Whatever was decoded (all symbols, or those before the error) codes and decodes back.
        var symbols = actual.Symbols;
        var encoder = new RangeEncoder(symbols.Length + 16);
        for (int i = 0; i < symbols.Length; i++) encoder.Encode(tables, i % tableCount, symbols[i]);
        var recoded = encoder.Finish();
        var back = Decode(recoded, tables, symbols.Length, tableCount);
        FuzzInput.Check(back.Error is null && back.Symbols.AsSpan().SequenceEqual(symbols), "the encoder's output does not decode to the symbols it coded");
    }

    private static int Alphabet(byte mode, ByteSource input) => (mode & 0x0F) switch
    {
        0 => 1,
        1 => 2,
        2 => 256 + input.Below(512),
        3 => 512,
        4 => 65536,
        5 => 65535 - input.Below(64),
        6 => 4096 + input.Below(4096),
        _ => 1 + input.Below(64),
    };

    /// <summary>Tables from non-negative weights: a short cycle of input bytes, or one spike.</summary>
    private static FrequencyTables FromCounts(ByteSource input, int alphabet, int count)
    {
        var weights = new double[alphabet * count];
        for (int t = 0; t < count; t++)
        {
            int period = 1 + input.Below(Math.Min(alphabet, 64));
            var cycle = new double[period];
            for (int i = 0; i < period; i++) cycle[i] = input.Byte() is var b && b >= 0xF0 ? Math.Pow(2.0, 8 * (b - 0xF0)) : b;
            double sum = 0;
            for (int s = 0; s < alphabet; s++) sum += weights[t * alphabet + s] = cycle[s % period];
            if (sum == 0) weights[t * alphabet + input.Below(alphabet)] = 1;
        }
        return FrequencyTable.ofProbabilitiesBatch(alphabet, weights);
    }

    /// <summary>Tables from finite float32 logits: a short cycle of input bytes times a power of two.</summary>
    private static FrequencyTables FromLogits(ByteSource input, int alphabet, int count)
    {
        var logits = new float[alphabet * count];
        for (int t = 0; t < count; t++)
        {
            float scale = MathF.Pow(2f, input.Below(120) - 12);   // at most 2^107: 128 × scale stays finite
            int period = 1 + input.Below(Math.Min(alphabet, 64));
            var cycle = new float[period];
            for (int i = 0; i < period; i++) cycle[i] = (sbyte)input.Byte() * scale;
            for (int s = 0; s < alphabet; s++) logits[t * alphabet + s] = cycle[s % period];
        }
        return FrequencyTable.ofLogitsBatch(alphabet, logits);
    }

    private static Outcome Decode(ReadOnlyMemory<byte> payload, FrequencyTables tables, int count, int tableCount)
    {
        var decoder = new RangeDecoder(payload);
        var symbols = new List<int>(count);
        try
        {
            for (int i = 0; i < count; i++) symbols.Add(decoder.Decode(tables, i % tableCount));
            decoder.Finish();
            return new Outcome(symbols.ToArray(), decoder.Position, null);
        }
        catch (VqzFormatException e)
        {
            return new Outcome(symbols.ToArray(), decoder.Position, e);
        }
    }

    private static Outcome DecodeGrid(ReadOnlyMemory<byte> payload, FrequencyTables tables, int height, int width)
    {
        var model = new StaticGridModel(tables);
        try
        {
            var grid = GridCoding.decodeGrid(model, new GridShape(height, width), payload, CancellationToken.None);
            return new Outcome(grid, -1, null);
        }
        catch (VqzFormatException e)
        {
            return new Outcome(null, -1, e);
        }
    }

    /// <summary>Symbols decoded (null: not observable), bytes consumed (-1: not observable), the error.</summary>
    internal sealed record Outcome(int[]? DecodedSymbols, long Position, VqzFormatException? Error)
    {
        public int[] Symbols => DecodedSymbols ?? [];
    }

    private static void Compare(ReferenceRangeDecoder.Result expected, Outcome actual, string who)
    {
        FuzzInput.Check((expected.Error is null) == (actual.Error is null),
            $"{who}: {(actual.Error is null ? "succeeded" : "failed: " + actual.Error.Message)}, the reference {(expected.Error is null ? "succeeded" : "failed: " + expected.Error)}");
        if (actual.Error is not null)
            FuzzInput.Check(actual.Error.Path == "payload" && actual.Error.Kind == VqzErrorKind.Corrupt, $"{who}: error {actual.Error.Message} is not a corrupt payload");
        if (actual.DecodedSymbols is not null)
            FuzzInput.Check(expected.Symbols.AsSpan().SequenceEqual(actual.DecodedSymbols), $"{who}: symbols differ from the reference");
        else if (expected.Error is null)
            FuzzInput.Check(false, $"{who}: no symbols");
        if (actual.Position >= 0)
            FuzzInput.Check(actual.Position == expected.Position, $"{who}: consumed {actual.Position} bytes, the reference {expected.Position}");
    }
}
