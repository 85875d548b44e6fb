namespace VqVae.Codec.Format

/// Byte offsets, lengths and codes of the .vqz layout, named once (spec §2, §3).
[<RequireQualifiedAccess>]
module VqzLayout =
    /// Length of the magic "VQZ" (spec §3.1).
    [<Literal>]
    let MagicLength = 3

    /// Offset of the version byte: major in the high nibble, minor in the low nibble (spec §3.2).
    [<Literal>]
    let VersionOffset = 3

    /// Offset of the layout byte: colour model, downsampling, prior tiling, chunk flag (spec §3.3).
    [<Literal>]
    let LayoutOffset = 4

    /// Offset of the coding-scheme byte (spec §3.4).
    [<Literal>]
    let CodingOffset = 5

    /// Offset of the width varint; the height varint follows it (spec §3.5).
    [<Literal>]
    let WidthOffset = 6

    /// Length of the models tag (spec §3.6).
    [<Literal>]
    let ModelsTagLength = 4

    /// Length of the CRC-32C trailer (spec §3.9).
    [<Literal>]
    let ChecksumLength = 4

    /// Smallest possible file: fixed fields, one-byte width and height, tag and checksum, empty payload.
    [<Literal>]
    let MinimumFileLength = 16

    /// Format major version this library reads and writes (spec §1.2).
    [<Literal>]
    let CurrentMajor = 1

    /// The newest minor version this library writes (spec §1.2): 1.1 adds GRID-CHECKSUM and LEVELS. A file is
    /// written with the lowest minor version whose chunks it uses (FormatVersion.For).
    [<Literal>]
    let CurrentMinor = 1

    /// Layout byte: bits 0-1, colour model code (spec §3.3).
    [<Literal>]
    let ColourMask = 0x03

    /// Layout byte: bits 2-3, downsampling code.
    [<Literal>]
    let DownsamplingShift = 2

    /// Layout byte: bits 4-6, prior tiling code.
    [<Literal>]
    let TilingShift = 4

    /// Layout byte: bit 7, a chunk section follows the models tag.
    [<Literal>]
    let HasChunksBit = 0x80

    /// Coding-scheme byte of the range coder with 16-bit tables (spec §3.4, §5).
    [<Literal>]
    let RangeCoder16 = 0x01uy

    /// Chunk type bit that marks a chunk a reader must understand (spec §4.1).
    [<Literal>]
    let RequiredChunkBit = 0x80uy

    /// Chunk type of METADATA (spec §4.2).
    [<Literal>]
    let MetadataChunk = 0x01uy

    /// Chunk type of MODEL-NAMES (spec §4.3).
    [<Literal>]
    let ModelNamesChunk = 0x02uy

    /// Chunk type of EMBEDDED-MODELS (spec §4.4).
    [<Literal>]
    let EmbeddedModelsChunk = 0x03uy

    /// Chunk type of GRID-CHECKSUM (spec §4.5, version 1.1).
    [<Literal>]
    let GridChecksumChunk = 0x04uy

    /// The last optional chunk type this version defines; optional types above it are unknown (spec §4.1).
    [<Literal>]
    let LastKnownChunk = 0x04uy

    /// Chunk type of LEVELS (spec §4.6, version 1.1): required, the lengths of the code levels' streams.
    [<Literal>]
    let LevelsChunk = 0x84uy

    /// Fewest code levels a LEVELS chunk declares (spec §4.6): a one-level file has no LEVELS chunk.
    [<Literal>]
    let MinLevels = 2

    /// Most code levels a LEVELS chunk declares (spec §4.6).
    [<Literal>]
    let MaxLevels = 16

    /// Length of a SHA-256 digest.
    [<Literal>]
    let DigestLength = 32

    /// Longest model name or metadata key, in UTF-8 bytes (spec §4.2, §4.3).
    [<Literal>]
    let MaxNameBytes = 255

    /// The magic bytes "VQZ".
    let magic () : byte[] = [| 0x56uy; 0x51uy; 0x5Auy |]
