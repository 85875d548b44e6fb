namespace VqVae.Codec.Format

/// Reader limits, checked against declared sizes before anything is allocated (spec §9).
type VqzLimits =
    {
        /// Largest width or height in pixels. Default 65535: the largest side common image formats allow.
        MaxSide: int
        /// Largest width × height. Default 2^28 (268 M pixels, ~800 MB as RGB): far above a photo,
        /// low enough that a hostile header cannot make a decoder allocate gigabytes.
        MaxPixels: int64
        /// Largest number of chunks. Default 16: version 1.0 defines three chunk types.
        MaxChunks: int
        /// Largest METADATA, MODEL-NAMES or unknown chunk, in bytes. Default 1 MiB: text, not data.
        MaxChunkBytes: int
        /// Largest compressed model in an EMBEDDED-MODELS chunk. Default 64 MiB: the issue's bound,
        /// about twice the largest model the project trains.
        MaxEmbeddedModelBytes: int
        /// Largest uncompressed embedded model. Default 256 MiB: LZ4 rarely shrinks weights below 1/4.
        MaxModelBytes: int
        /// Largest file accepted from a stream. Default 512 MiB: two embedded models plus the largest payload.
        MaxFileBytes: int64
    }

    /// The documented defaults.
    static member Default =
        {
            MaxSide = 65535
            MaxPixels = 1L <<< 28
            MaxChunks = 16
            MaxChunkBytes = 1 <<< 20
            MaxEmbeddedModelBytes = 64 <<< 20
            MaxModelBytes = 256 <<< 20
            MaxFileBytes = 512L <<< 20
        }

/// How a .vqz file is read.
type VqzReaderOptions =
    {
        /// Size limits.
        Limits: VqzLimits
        /// Verify the CRC-32C trailer (default true). Turn off only to let fuzzed inputs reach the parser.
        VerifyChecksum: bool
    }

    /// Default limits, checksum verified.
    static member Default = { Limits = VqzLimits.Default; VerifyChecksum = true }
