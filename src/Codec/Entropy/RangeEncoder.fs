namespace VqVae.Codec.Entropy

open System

/// Range coder constants (spec §5.2).
[<RequireQualifiedAccess>]
module internal RangeCoding =
    /// Renormalise when the range falls below 2^24 (one byte of the 32-bit range left free).
    [<Literal>]
    let Bottom = 0x01000000u

    /// Initial range, 2^32 - 1.
    [<Literal>]
    let InitialRange = 0xFFFFFFFFu

/// Range encoder with a 32-bit range, a 33-bit low (one carry bit) and 16-bit tables (spec §5.3).
/// Allocates only when its output buffer grows.
[<Sealed>]
type RangeEncoder(initialCapacity: int) =
    let mutable low = 0UL
    let mutable range = RangeCoding.InitialRange
    let mutable cache = 0uy
    let mutable hasCache = false
    let mutable pending = 0
    let mutable buffer = Array.zeroCreate<byte> (max 16 initialCapacity)
    let mutable length = 0
    let mutable finished = false

    let emit (b: byte) =
        if length = buffer.Length then
            Array.Resize(&buffer, buffer.Length * 2)

        buffer[length] <- b
        length <- length + 1

    /// Moves the top byte of low out (spec §5.3, ShiftLow): it waits in `cache` (and runs of 0xFF in
    /// `pending`) until a later carry can no longer change it.
    let shiftLow () =
        if low < 0xFF000000UL || low > 0xFFFFFFFFUL then
            let carry = byte (low >>> 32)

            if hasCache then
                emit (cache + carry)

            while pending > 0 do
                emit (0xFFuy + carry)
                pending <- pending - 1

            cache <- byte (low >>> 24)
            hasCache <- true
        else
            pending <- pending + 1

        low <- (low &&& 0x00FFFFFFUL) <<< 8

    new() = RangeEncoder(4096)

    /// Codes the interval [start, start + frequency) of a table summing to 65536; checked tables only.
    member internal _.EncodeInterval(start: int, frequency: int) =
        if finished then
            raise (InvalidOperationException "the encoder has finished")

        let r = range >>> Precision.Bits
        low <- low + uint64 (r * uint32 start)
        range <- r * uint32 frequency

        while range < RangeCoding.Bottom do
            range <- range <<< 8
            shiftLow ()

    /// Codes `symbol` with table `row` of `tables`.
    member this.Encode(tables: FrequencyTables, row: int, symbol: int) =
        if uint symbol >= uint tables.Alphabet then
            raise (ArgumentOutOfRangeException(nameof symbol, symbol, $"the alphabet has {tables.Alphabet} symbols"))

        if uint row >= uint tables.Count then
            raise (ArgumentOutOfRangeException(nameof row))

        let c = tables.Data
        let i = row * tables.Stride + symbol
        let start = c[i]
        this.EncodeInterval(start, c[i + 1] - start)

    /// Ends the stream (spec §5.4) and returns the coded bytes, trailing zero bytes removed (a decoder
    /// reads zeros past the end). The encoder cannot be used afterwards.
    member _.Finish() : byte[] =
        if finished then
            raise (InvalidOperationException "the encoder has finished")

        let top = low + uint64 range
        let mutable value = (low + 0xFFFFFFFFUL) &&& ~~~0xFFFFFFFFUL

        if value >= top then
            value <- (low + 0x00FFFFFFUL) &&& ~~~0x00FFFFFFUL

        low <- value

        for _ in 1..5 do
            shiftLow ()

        while length > 0 && buffer[length - 1] = 0uy do
            length <- length - 1

        finished <- true
        buffer.AsSpan(0, length).ToArray()
