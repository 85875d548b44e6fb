namespace VqVae.Codec.Format

open System

/// The code levels of a payload (spec §4.6): one range-coded stream per level, level 1 first. What the
/// codec layer calls to cut a payload into streams and to build a file from them.
[<RequireQualifiedAccess>]
module VqzLevels =
    /// The LEVELS chunk among the chunks, if any.
    let tryFind (chunks: VqzChunk list) =
        chunks
        |> List.tryPick (function
            | VqzChunk.Levels levels -> Some levels
            | _ -> None)

    /// The number of code levels of the file: the LEVELS chunk's n, or 1 without one.
    let count (file: VqzFile) =
        match tryFind file.Chunks with
        | Some levels -> levels.Count
        | None -> 1

    /// The streams of the file's levels, level 1 first, as slices of the payload (not copied): the whole
    /// payload for a file without LEVELS. Raises ArgumentException when the LEVELS chunk's streams do
    /// not fit in the payload, which a file that was read (Vqz.read) never has.
    let streams (file: VqzFile) : ReadOnlyMemory<byte>[] =
        match tryFind file.Chunks with
        | None -> [| file.Payload |]
        | Some levels ->
            match levels.StreamLengths file.Payload.Length with
            | ValueNone ->
                invalidArg (nameof file) $"the LEVELS chunk's streams need {levels.LeadingTotal} bytes, the payload has {file.Payload.Length}"
            | ValueSome lengths ->
                let starts = Array.scan (+) 0 lengths
                Array.init lengths.Length (fun l -> file.Payload.Slice(starts[l], lengths[l]))

    /// The LEVELS chunk and payload of the streams of levels 1 .. n, level 1 first: no chunk for one
    /// stream (whose payload is the stream itself), for 2 .. 16 a LEVELS chunk with the lengths of all
    /// but the last and their concatenation. Raises ArgumentException for 0 or more than 16 streams.
    let pack (streams: ReadOnlyMemory<byte>[]) : VqzChunk option * ReadOnlyMemory<byte> =
        if streams.Length < 1 || streams.Length > VqzLayout.MaxLevels then
            invalidArg (nameof streams) $"{streams.Length} level streams: a file holds 1 to {VqzLayout.MaxLevels}"

        if streams.Length = 1 then
            None, streams[0]
        else
            let levels = CodeLevels.Create(streams[.. streams.Length - 2] |> Array.map (fun s -> s.Length))
            let payload = Array.zeroCreate<byte> (int levels.LeadingTotal + streams[streams.Length - 1].Length)
            let mutable at = 0

            for s in streams do
                s.Span.CopyTo(payload.AsSpan at)
                at <- at + s.Length

            Some(VqzChunk.Levels levels), ReadOnlyMemory payload

    /// A file of the header, the chunks and the streams of levels 1 .. n (1 to 16): with n ≥ 2 a LEVELS
    /// chunk comes first, then `chunks`; the version is the lowest the chunks need
    /// (FormatVersions.required). One stream gives { header (with that version); chunks; the stream }, so
    /// a one-level file is exactly what it was without levels. `chunks` must not hold a LEVELS chunk.
    let create (header: VqzHeader) (chunks: VqzChunk list) (streams: ReadOnlyMemory<byte>[]) : VqzFile =
        if (tryFind chunks).IsSome then
            invalidArg (nameof chunks) "the LEVELS chunk is made from the streams; chunks must not hold one"

        let levels, payload = pack streams
        let chunks = Option.toList levels @ chunks

        {
            Header = { header with Version = FormatVersions.required chunks }
            Chunks = chunks
            Payload = payload
        }
