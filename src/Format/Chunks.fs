namespace VqVae.Codec.Format

open System

/// One key/value pair of a METADATA chunk (spec §4.2).
type MetadataEntry =
    {
        /// 1 to 255 UTF-8 bytes, unique within the chunk.
        Key: string
        /// Any UTF-8 text.
        Value: string
    }

/// A model's short name and full digest, so an error can name a missing model (spec §4.3).
type ModelName =
    {
        /// Which model.
        Role: ModelRole
        /// 1 to 255 UTF-8 bytes.
        Name: string
        /// The model digest (spec §3.6): SHA-256 of the model file before its last 32 bytes.
        Digest: Sha256Digest
    }

/// A model file carried in the .vqz file (spec §4.4); stored LZ4-compressed, held here uncompressed.
type EmbeddedModel =
    {
        /// Which model.
        Role: ModelRole
        /// The model file's bytes.
        Data: ReadOnlyMemory<byte>
    }

/// The content of a LEVELS chunk (spec §4.6): n code levels (2 .. 16) and the byte lengths of the
/// range-coded streams of levels 1 .. n−1, which lie in the payload in level order; level n's stream is
/// the rest of the payload. A length may be 0: a range coder stream of symbols that all start at
/// cumulative frequency 0 (e.g. an all-zero grid) is empty (spec §5.4).
[<Sealed>]
type CodeLevels private (leading: int[]) =
    /// The number n of code levels, 2 .. 16.
    member _.Count = leading.Length + 1

    /// The stream lengths of levels 1 .. n−1, in bytes (a copy); level n's is what the payload has left.
    member _.LeadingLengths = Array.copy leading

    /// The payload offset of level n's stream: the sum of LeadingLengths.
    member _.LeadingTotal = Array.sumBy int64 leading

    /// The lengths of all n streams of a payload of `payloadLength` bytes; ValueNone when the streams
    /// of levels 1 .. n−1 do not fit in it.
    member this.StreamLengths(payloadLength: int) =
        if this.LeadingTotal > int64 payloadLength then
            ValueNone
        else
            ValueSome(Array.append leading [| payloadLength - int this.LeadingTotal |])

    /// The levels whose first n−1 streams have these lengths, or why there are none: n = count + 1 must
    /// be 2 .. 16, each length ≥ 0 and their sum at most Int32.MaxValue.
    static member TryCreate(leadingLengths: int seq) : Result<CodeLevels, string> =
        let leading = Seq.toArray leadingLengths
        let n = leading.Length + 1

        if n < VqzLayout.MinLevels || n > VqzLayout.MaxLevels then
            Error $"{n} code levels ({leading.Length} leading stream lengths): a LEVELS chunk holds {VqzLayout.MinLevels} to {VqzLayout.MaxLevels}"
        elif leading |> Array.exists (fun l -> l < 0) then
            Error "a stream length is negative"
        elif Array.sumBy int64 leading > int64 Int32.MaxValue then
            Error "the stream lengths add up to more than 2^31 - 1 bytes"
        else
            Ok(CodeLevels leading)

    /// As TryCreate; raises ArgumentException for what it refuses.
    static member Create(leadingLengths: int seq) =
        match CodeLevels.TryCreate leadingLengths with
        | Ok levels -> levels
        | Error reason -> invalidArg (nameof leadingLengths) reason

    override _.Equals(other) =
        match other with
        | :? CodeLevels as o -> leading.AsSpan().SequenceEqual(ReadOnlySpan o.LeadingLengths)
        | _ -> false

    override _.GetHashCode() = leading |> Array.fold (fun h l -> h * 31 + l) leading.Length

    /// E.g. "3 levels, leading stream lengths [12; 0]".
    override this.ToString() = $"%d{this.Count} levels, leading stream lengths %A{leading}"

/// A chunk (spec §4). Each known kind occurs at most once per file.
[<RequireQualifiedAccess>]
type VqzChunk =
    /// UTF-8 key/value pairs.
    | Metadata of MetadataEntry list
    /// Names and digests of the models, at most one per role.
    | ModelNames of ModelName list
    /// The model files themselves, at most one per role.
    | EmbeddedModels of EmbeddedModel list
    /// CRC-32C of the code grids the payload decodes to (spec §4.5, version 1.1): lets a decoder notice
    /// that it did not decode what the encoder coded.
    | GridChecksum of uint32
    /// The code levels of the payload (spec §4.6, version 1.1; a required chunk): the payload is the
    /// concatenation of one range-coded stream per level.
    | Levels of CodeLevels
    /// An optional chunk of a type this version does not define, kept verbatim.
    | UnknownOptional of chunkType: byte * data: ReadOnlyMemory<byte>

    /// The chunk's type byte.
    member this.TypeCode =
        match this with
        | Metadata _ -> VqzLayout.MetadataChunk
        | ModelNames _ -> VqzLayout.ModelNamesChunk
        | EmbeddedModels _ -> VqzLayout.EmbeddedModelsChunk
        | GridChecksum _ -> VqzLayout.GridChecksumChunk
        | Levels _ -> VqzLayout.LevelsChunk
        | UnknownOptional(t, _) -> t

    /// "metadata", "model-names", "embedded-models", "grid-checksum", "levels" or "unknown-0xNN".
    member this.KindName =
        match this with
        | Metadata _ -> "metadata"
        | ModelNames _ -> "model-names"
        | EmbeddedModels _ -> "embedded-models"
        | GridChecksum _ -> "grid-checksum"
        | Levels _ -> "levels"
        | UnknownOptional(t, _) -> $"unknown-0x%02x{t}"
