namespace VqVae.Codec.Format

open System
open System.Buffers

/// Result computation expression for the parsers: the first error stops parsing.
[<Sealed>]
type internal ParseBuilder() =
    member _.Bind(r: Result<'a, FormatError>, f: 'a -> Result<'b, FormatError>) = Result.bind f r
    member _.Return(x: 'a) : Result<'a, FormatError> = Ok x
    member _.ReturnFrom(r: Result<'a, FormatError>) = r
    member _.Zero() : Result<unit, FormatError> = Ok()
    member _.Delay(f: unit -> Result<'a, FormatError>) = f
    member _.Run(f: unit -> Result<'a, FormatError>) = f ()

    member _.Combine(r: Result<unit, FormatError>, f: unit -> Result<'a, FormatError>) = Result.bind f r

[<AutoOpen>]
module internal ParseBuilderInstance =
    let parse = ParseBuilder()

    /// Ok () when the condition holds, else the error.
    let require condition (error: unit -> FormatError) =
        if condition then Ok() else Error(error ())

    /// Runs `item` for indices 0 .. count-1, stopping at the first error.
    let readMany (count: int) (item: int -> Result<'T, FormatError>) : Result<'T list, FormatError> =
        let rec loop i acc =
            if i = count then
                Ok(List.rev acc)
            else
                match item i with
                | Ok x -> loop (i + 1) (x :: acc)
                | Error e -> Error e

        loop 0 []

/// A read position over the bytes of a file; offsets are absolute file offsets. It never reads outside
/// [position, limit): every read checks the remaining length first (spec §9).
[<Sealed>]
type internal Cursor(data: ReadOnlyMemory<byte>, start: int, limit: int) =
    let mutable pos = start

    new(data: ReadOnlyMemory<byte>) = Cursor(data, 0, data.Length)

    member _.Position = pos
    member _.Limit = limit
    member _.Remaining = limit - pos
    member _.Data = data

    member this.Need(count: int64, path: string) =
        require (count <= int64 this.Remaining) (fun () -> Truncated(int64 pos, path, count, int64 this.Remaining))

    member this.ReadByte(path: string) : Result<byte, FormatError> =
        if pos < limit then
            let b = data.Span[pos]
            pos <- pos + 1
            Ok b
        else
            Error(Truncated(int64 pos, path, 1L, 0L))

    /// A slice of `count` bytes, without copying.
    member this.ReadSlice(count: int, path: string) : Result<ReadOnlyMemory<byte>, FormatError> =
        if count < 0 || count > this.Remaining then
            Error(Truncated(int64 pos, path, int64 count, int64 this.Remaining))
        else
            let s = data.Slice(pos, count)
            pos <- pos + count
            Ok s

    /// An unsigned LEB128 varint of at most 5 bytes, minimal, below 2^32 (spec §2.2).
    member this.ReadVarint(path: string) : Result<int64, FormatError> =
        let startPos = pos
        let mutable value = 0L
        let mutable shift = 0
        let mutable result = Unchecked.defaultof<Result<int64, FormatError>>
        let mutable fin = false

        while not fin do
            if pos >= limit then
                result <- Error(Truncated(int64 pos, path, 1L, 0L))
                fin <- true
            else
                let b = data.Span[pos]
                pos <- pos + 1
                value <- value ||| (int64 (b &&& 0x7Fuy) <<< shift)

                if b &&& 0x80uy = 0uy then
                    fin <- true

                    result <-
                        if b = 0uy && pos - startPos > 1 then
                            Error(Corrupt(int64 startPos, path, "varint is not minimal (ends in a zero byte)"))
                        elif value > int64 UInt32.MaxValue then
                            Error(Corrupt(int64 startPos, path, "varint exceeds 2^32 - 1"))
                        else
                            Ok value
                elif pos - startPos = 5 then
                    fin <- true
                    result <- Error(Corrupt(int64 startPos, path, "varint longer than 5 bytes"))
                else
                    shift <- shift + 7

        result

/// Byte writers that mirror the Cursor's reads.
module internal Emit =
    let u8 (w: IBufferWriter<byte>) (b: byte) =
        let span = w.GetSpan 1
        span[0] <- b
        w.Advance 1

    let bytes (w: IBufferWriter<byte>) (data: ReadOnlySpan<byte>) =
        let span = w.GetSpan data.Length
        data.CopyTo span
        w.Advance data.Length

    /// Unsigned LEB128, minimal (spec §2.2).
    let varint (w: IBufferWriter<byte>) (value: int64) =
        if value < 0L || value > int64 UInt32.MaxValue then
            invalidArg (nameof value) $"a varint holds 0 .. 2^32-1, not {value}"

        let mutable v = uint64 value

        while v >= 0x80UL do
            u8 w (byte (v &&& 0x7FUL) ||| 0x80uy)
            v <- v >>> 7

        u8 w (byte v)

    /// The length of `value` as a varint.
    let varintLength (value: int64) =
        let mutable n = 1
        let mutable v = uint64 value

        while v >= 0x80UL do
            v <- v >>> 7
            n <- n + 1

        n
