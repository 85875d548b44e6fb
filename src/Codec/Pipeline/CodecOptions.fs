namespace VqVae.Codec.Pipeline

/// Quality presets: each names a pair of models (and a prior tiling) in the model catalogue.
[<RequireQualifiedAccess>]
type Quality =
    /// Downsampling 8: a quarter of the codes of High.
    | Low
    /// Between Low and High (see the catalogue's presets).
    | Medium
    /// Downsampling 4.
    | High
    /// The most code levels the catalogue's presets send (see the catalogue's presets).
    | Max

    /// "low", "medium", "high" or "max".
    override this.ToString() =
        match this with
        | Low -> "low"
        | Medium -> "medium"
        | High -> "high"
        | Max -> "max"

    /// Parses "low", "medium", "high" or "max".
    static member Parse(text: string) =
        match text.ToLowerInvariant() with
        | "low" -> Low
        | "medium" -> Medium
        | "high" -> High
        | "max" -> Max
        | other -> invalidArg (nameof text) $"unknown quality '{other}': expected low, medium, high or max"

/// Where the VQ-VAE's networks run. The prior always runs on the CPU (it must be bit-exact, spec/prior.md).
[<RequireQualifiedAccess>]
type ComputeDevice =
    /// The CPU (TorchSharp-cpu).
    | Cpu
    /// A CUDA GPU: needs the CUDA build of TorchSharp (see README, "GPU").
    | Cuda

/// When the MODEL-NAMES chunk is written.
[<RequireQualifiedAccess>]
type ModelNamesPolicy =
    /// Only for models that are not built in (built-in names are known to every copy of vqz): keeps
    /// thumbnails coded with the default models at 16 bytes of container overhead.
    | UnlessBuiltIn
    /// Always.
    | Always
    /// Never.
    | Never

/// When the GRID-CHECKSUM chunk (spec vqz.md §4.5) is written: 7 bytes that let a decoder notice that it
/// did not decode the codes the encoder wrote (a non-conforming evaluator) instead of writing wrong pixels.
[<RequireQualifiedAccess>]
type GridChecksumPolicy =
    /// For images of more than 64 x 64 pixels (the thumbnail presets' limit): there the 7 bytes are under
    /// 1 % of a file; a 32 x 32 thumbnail of the `high` preset is about 70 bytes, where they would be 10 %.
    | Auto
    /// Always.
    | Always
    /// Never (the file stays a 1.0 file when it has no other 1.1 chunk).
    | Never

    /// Whether an image of this size gets the chunk.
    member this.Applies(width: int, height: int) =
        match this with
        | Auto -> int64 width * int64 height > 64L * 64L
        | Always -> true
        | Never -> false

/// Options of the codec library. Every default is here.
type CodecOptions =
    {
        /// Preset used when no models are given explicitly.
        Quality: Quality
        /// Where the VQ-VAE runs.
        Device: ComputeDevice
        /// Decode the file just written and compare its codes with the encoded ones.
        Verify: bool
        /// Threads of the prior evaluator; 0 uses every core.
        Threads: int
        /// Prior tile side in codes (0 = whole grid); None takes the preset's.
        TileSide: int option
        /// Code levels sent (1 = the first grid only, up to the VQ-VAE's levels): the rate knob of a model
        /// with levels (docs/levels.md); None takes the preset's.
        Levels: int option
        /// Carry the model files in the .vqz (EMBEDDED-MODELS chunk, LZ4).
        EmbedModels: bool
        /// When to write model names and digests.
        ModelNames: ModelNamesPolicy
        /// UTF-8 key/value pairs for a METADATA chunk.
        Metadata: (string * string) list
        /// When to write the CRC-32C of the code grid (GRID-CHECKSUM).
        GridChecksum: GridChecksumPolicy
        /// Most pixels of an image encoded or a file decoded (its header's width x height), checked before any
        /// work. Default 16,000,000 (4000 x 4000; a 12-megapixel 4032 x 3024 phone photo fits). It was 2^23
        /// when the networks ran on the whole image at about 950 bytes a pixel (a 4096 x 4096 file took
        /// 15.9 GB to decode). The networks and the prior now work in tiles (issue 13): a 4000 x 3000 photo
        /// peaks near 1.3 GB to compress with verification and 1.1 GB to decode (README, Big photos), so the
        /// limit bounds time more than memory. Raise it (--max-pixels) up to the format's 2^28 (spec §9).
        MaxPixels: int64
        /// Side in pixels of the tiles the encoder and decoder networks run on (a multiple of the downsampling;
        /// each tile also runs on the margin its receptive field needs, and keeps only its own latents, so the
        /// codes and pixels are those of the untiled network, at RateLambda 0, up to libtorch's float rounding: an 8-bit
        /// pixel can rarely come out one level apart). Bounds the networks' memory whatever the image
        /// size; images of at most this side run as one tile. Default NetworkTiles.TilePixels (512).
        NetworkTilePixels: int
        /// Entropy-constrained code choice (docs/levels.md §4.5): lambda, what a bit is worth in units of a
        /// level's mean nearest-prototype distance; 0 (default) picks the nearest prototype, the thesis's
        /// gamma(x). Only the encoder chooses: files decode the same way whatever it is.
        RateLambda: float
    }

    /// High quality, CPU, verified, every core, preset tiling, no embedded models.
    static member Default =
        {
            Quality = Quality.High
            Device = ComputeDevice.Cpu
            Verify = true
            Threads = 0
            TileSide = None
            Levels = None
            EmbedModels = false
            ModelNames = ModelNamesPolicy.UnlessBuiltIn
            Metadata = []
            GridChecksum = GridChecksumPolicy.Auto
            MaxPixels = 16_000_000L
            NetworkTilePixels = VqVae.Codec.Models.Networks.NetworkTiles.TilePixels
            RateLambda = 0.0
        }

    /// The evaluator thread count these options give on this machine.
    member this.EffectiveThreads = if this.Threads > 0 then this.Threads else System.Environment.ProcessorCount
