namespace VqVae.Codec.Format

open System

/// The family of a reading error (spec §7), for callers that branch on it.
type VqzErrorKind =
    /// A field holds a value the specification does not allow.
    | Corrupt = 1
    /// The data ends before a field does.
    | Truncated = 2
    /// The CRC-32C trailer does not match the data.
    | ChecksumMismatch = 3
    /// The file's major version is not one this reader knows.
    | UnsupportedVersion = 4
    /// A chunk marked required has a type this reader does not know.
    | UnsupportedRequiredChunk = 5
    /// A declared size is above a reader limit (VqzLimits).
    | LimitExceeded = 6
    /// The decoded code grids do not give the file's GRID-CHECKSUM: the decoder is not conforming (or
    /// the file was altered and its CRC recomputed).
    | GridChecksumMismatch = 7

/// Why a .vqz file was rejected: the byte offset at fault, the field path (e.g. "header.width") and the reason.
type FormatError =
    /// A field holds a value the specification does not allow.
    | Corrupt of offset: int64 * path: string * reason: string
    /// The data ends inside a field that needs `needed` bytes where `available` remain.
    | Truncated of offset: int64 * path: string * needed: int64 * available: int64
    /// The stored CRC-32C differs from the one computed over the data.
    | ChecksumMismatch of offset: int64 * stored: uint32 * computed: uint32
    /// The major version is newer (or older) than this reader's.
    | UnsupportedVersion of offset: int64 * major: int * minor: int
    /// A required chunk (type bit 7 set) of a type this reader does not know.
    | UnsupportedRequiredChunk of offset: int64 * path: string * chunkType: byte
    /// A declared size above a reader limit.
    | LimitExceeded of offset: int64 * path: string * limit: string * value: int64 * maximum: int64
    /// The CRC-32C of the decoded code grids differs from the file's GRID-CHECKSUM chunk (spec §4.5).
    | GridChecksumMismatch of offset: int64 * path: string * stored: uint32 * computed: uint32

    /// Byte offset in the file where the fault was found.
    member this.Offset =
        match this with
        | Corrupt(o, _, _)
        | Truncated(o, _, _, _)
        | ChecksumMismatch(o, _, _)
        | UnsupportedVersion(o, _, _)
        | UnsupportedRequiredChunk(o, _, _)
        | LimitExceeded(o, _, _, _, _)
        | GridChecksumMismatch(o, _, _, _) -> o

    /// Path of the field at fault, e.g. "header.width" or "chunks[1].metadata[0].key".
    member this.Path =
        match this with
        | Corrupt(_, p, _)
        | Truncated(_, p, _, _)
        | UnsupportedRequiredChunk(_, p, _)
        | LimitExceeded(_, p, _, _, _)
        | GridChecksumMismatch(_, p, _, _) -> p
        | ChecksumMismatch _ -> "checksum"
        | UnsupportedVersion _ -> "header.version"

    /// One sentence saying what is wrong.
    member this.Reason =
        match this with
        | Corrupt(_, _, r) -> r
        | Truncated(_, _, needed, available) ->
            $"truncated: needs {needed} byte(s), {available} remain"
        | ChecksumMismatch(_, stored, computed) ->
            $"checksum mismatch: stored CRC-32C %08x{stored}, computed %08x{computed}"
        | UnsupportedVersion(_, major, minor) ->
            $"unsupported format version {major}.{minor} (this reader reads {VqzLayout.CurrentMajor}.x)"
        | UnsupportedRequiredChunk(_, _, t) -> $"unsupported required chunk type 0x%02x{t}"
        | LimitExceeded(_, _, limit, value, maximum) -> $"{value} exceeds the limit {limit} = {maximum}"
        | GridChecksumMismatch(_, _, stored, computed) ->
            $"the decoded code grid does not match the file's grid checksum (stored CRC-32C %08x{stored}, decoded %08x{computed}): this decoder does not decode the file as its encoder did"

    /// The family of this error.
    member this.Kind =
        match this with
        | Corrupt _ -> VqzErrorKind.Corrupt
        | Truncated _ -> VqzErrorKind.Truncated
        | ChecksumMismatch _ -> VqzErrorKind.ChecksumMismatch
        | UnsupportedVersion _ -> VqzErrorKind.UnsupportedVersion
        | UnsupportedRequiredChunk _ -> VqzErrorKind.UnsupportedRequiredChunk
        | LimitExceeded _ -> VqzErrorKind.LimitExceeded
        | GridChecksumMismatch _ -> VqzErrorKind.GridChecksumMismatch

/// The one exception raised for a .vqz file that cannot be read; Error says where and why.
[<Sealed>]
type VqzFormatException(error: FormatError) =
    inherit Exception($"invalid .vqz file: {error.Path} at byte {error.Offset}: {error.Reason}")

    /// The structured error.
    member _.Error = error
    /// The family of the error.
    member _.Kind = error.Kind
    /// Byte offset of the fault.
    member _.Offset = error.Offset
    /// Path of the field at fault.
    member _.Path = error.Path
    /// Why the file was rejected.
    member _.Reason = error.Reason
