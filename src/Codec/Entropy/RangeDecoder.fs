namespace VqVae.Codec.Entropy

open System
open System.Runtime.CompilerServices
open System.Runtime.InteropServices
open VqVae.Codec.Format

/// Range decoder for RangeEncoder's output (spec §5.5). Reads past the end of its input as zero bytes,
/// never outside it; rejects a code value no encoder can produce with VqzFormatException (path "payload",
/// offset relative to the start of the input).
[<Sealed>]
type RangeDecoder(input: ReadOnlyMemory<byte>) =
    let bytes, first, count =
        match MemoryMarshal.TryGetArray input with
        | true, segment ->
            match segment.Array with
            | null -> input.ToArray(), 0, input.Length
            | array -> array, segment.Offset, segment.Count
        | _ -> input.ToArray(), 0, input.Length

    let mutable position = 0
    let mutable range = RangeCoding.InitialRange
    let mutable code = 0u

    let next () =
        let b = if position < count then bytes[first + position] else 0uy
        position <- position + 1
        uint32 b

    do
        for _ in 1..4 do
            code <- (code <<< 8) ||| next ()

    let corrupt reason =
        raise (VqzFormatException(FormatError.Corrupt(int64 (min position count), "payload", reason)))

    /// Bytes consumed so far, counting the zeros read past the end.
    member _.Position = position

    /// Decodes one symbol with table `row` of `tables`.
    member _.Decode(tables: FrequencyTables, row: int) : int =
        if uint row >= uint tables.Count then
            raise (ArgumentOutOfRangeException(nameof row))

        let r = range >>> Precision.Bits
        let target = code / r

        if target >= uint32 Precision.Total then
            corrupt "the range decoder's code value lies outside every symbol's interval"

        let v = int target
        // The row was checked when the table was built (FrequencyTables), so the search reads it
        // without bounds checks: c[0] = 0 <= v < 65536 = c[K] keeps every index in [0, K].
        let c = &Unsafe.Add(&MemoryMarshal.GetArrayDataReference tables.Data, row * tables.Stride)
        let mutable lo = 0
        let mutable n = tables.Alphabet

        while n > 1 do
            let half = n >>> 1
            lo <- if Unsafe.Add(&c, lo + half) <= v then lo + half else lo
            n <- n - half

        let start = Unsafe.Add(&c, lo)
        code <- code - r * uint32 start
        range <- r * uint32 (Unsafe.Add(&c, lo + 1) - start)

        while range < RangeCoding.Bottom do
            range <- range <<< 8
            code <- (code <<< 8) ||| next ()

        lo

    /// Checks the end of the stream (spec §5.5): input bytes the decoder never read mean corruption.
    member _.Finish() =
        if count > position then
            corrupt $"{count - position} byte(s) after the last symbol"
