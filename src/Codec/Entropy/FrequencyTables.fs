namespace VqVae.Codec.Entropy

open System

/// Fixed precision of every frequency table (spec §5.1).
[<RequireQualifiedAccess>]
module Precision =
    /// Table precision in bits.
    [<Literal>]
    let Bits = 16

    /// Every table's frequencies sum to this: 2^16.
    [<Literal>]
    let Total = 65536

    /// Largest alphabet: every symbol needs a frequency >= 1.
    [<Literal>]
    let MaxAlphabet = 65536

/// A batch of Count frequency tables over one alphabet of Alphabet symbols, stored as one array of
/// Count × (Alphabet + 1) cumulative frequencies: row i holds c[0] = 0 < c[1] < ... < c[K] = 65536,
/// and symbol s has frequency c[s+1] - c[s] >= 1 (spec §5.1). Immutable.
[<Sealed>]
type FrequencyTables internal (alphabet: int, count: int, cumulative: int[]) =
    /// Number of symbols K.
    member _.Alphabet = alphabet
    /// Number of tables.
    member _.Count = count
    /// Alphabet + 1: the distance between rows.
    member _.Stride = alphabet + 1
    /// All rows, one after the other.
    member _.Cumulative = ReadOnlySpan cumulative
    member internal _.Data = cumulative

    /// The cumulative frequencies of table `row`.
    member _.Row(row: int) =
        if uint row >= uint count then
            raise (ArgumentOutOfRangeException(nameof row))

        ReadOnlySpan(cumulative, row * (alphabet + 1), alphabet + 1)

    /// Frequency of `symbol` in table `row`.
    member this.Frequency(row: int, symbol: int) =
        if uint symbol >= uint alphabet then
            raise (ArgumentOutOfRangeException(nameof symbol))

        let r = this.Row row
        r[symbol + 1] - r[symbol]

    /// Copies and checks cumulative frequencies (count × (alphabet + 1) values); raises
    /// ArgumentException unless every row starts at 0, rises strictly and ends at 65536.
    static member OfCumulative(alphabet: int, cumulative: ReadOnlySpan<int>) =
        if alphabet < 1 || alphabet > Precision.MaxAlphabet then
            raise (ArgumentOutOfRangeException(nameof alphabet))

        let stride = alphabet + 1

        if cumulative.Length = 0 || cumulative.Length % stride <> 0 then
            invalidArg "cumulative" $"length {cumulative.Length} is not a positive multiple of {stride}"

        for row in 0 .. cumulative.Length / stride - 1 do
            let b = row * stride

            if cumulative[b] <> 0 || cumulative[b + alphabet] <> Precision.Total then
                invalidArg "cumulative" $"row {row} does not run from 0 to {Precision.Total}"

            for s in 0 .. alphabet - 1 do
                if cumulative[b + s + 1] <= cumulative[b + s] then
                    invalidArg "cumulative" $"row {row}: symbol {s} has frequency < 1"

        FrequencyTables(alphabet, cumulative.Length / stride, cumulative.ToArray())
