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

/// An optional chunk (spec §4). Each known kind occurs at most once per file.
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
    /// An optional chunk of a type this version does not define, kept verbatim.
    | UnknownOptional of chunkType: byte * data: ReadOnlyMemory<byte>

    /// The chunk's type byte.
    member this.TypeCode =
        match this with
        | Metadata _ -> VqzLayout.MetadataChunk
        | ModelNames _ -> VqzLayout.ModelNamesChunk
        | EmbeddedModels _ -> VqzLayout.EmbeddedModelsChunk
        | GridChecksum _ -> VqzLayout.GridChecksumChunk
        | UnknownOptional(t, _) -> t

    /// "metadata", "model-names", "embedded-models", "grid-checksum" or "unknown-0xNN".
    member this.KindName =
        match this with
        | Metadata _ -> "metadata"
        | ModelNames _ -> "model-names"
        | EmbeddedModels _ -> "embedded-models"
        | GridChecksum _ -> "grid-checksum"
        | UnknownOptional(t, _) -> $"unknown-0x%02x{t}"
