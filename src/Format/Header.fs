namespace VqVae.Codec.Format

open System
open System.Buffers
open System.Buffers.Binary

/// Format version: a reader accepts every minor of its major and rejects other majors (spec §1.2).
[<Struct>]
type FormatVersion =
    {
        /// Incompatible changes.
        Major: int
        /// Compatible additions: new optional chunks only.
        Minor: int
    }

    /// The newest version this library writes (1.1); each file gets the lowest one its chunks need (FormatVersions.required).
    static member Current = { Major = VqzLayout.CurrentMajor; Minor = VqzLayout.CurrentMinor }

    override this.ToString() = $"{this.Major}.{this.Minor}"

/// Colour model of the image (spec §3.3, layout bits 0-1).
[<RequireQualifiedAccess>]
type ColourModel =
    /// One channel.
    | Grayscale
    /// Three channels, red, green, blue.
    | Rgb

    /// Number of channels.
    member this.Channels =
        match this with
        | Grayscale -> 1
        | Rgb -> 3

/// Downsampling factor from pixels to latents (spec §3.3, layout bits 2-3).
[<RequireQualifiedAccess>]
type Downsampling =
    /// One latent per 4 × 4 pixels.
    | By4
    /// One latent per 8 × 8 pixels.
    | By8
    /// One latent per 16 × 16 pixels.
    | By16

    /// 4, 8 or 16.
    member this.Factor =
        match this with
        | By4 -> 4
        | By8 -> 8
        | By16 -> 16

    /// ceil(pixels / factor): the latent count along a side of `pixels` pixels.
    member this.Latents(pixels: int) = (pixels + this.Factor - 1) / this.Factor

/// Side of a prior tile in latents: a power of two from 4 to 256 (spec §3.3).
[<RequireQualifiedAccess>]
type TileSide =
    | Side4
    | Side8
    | Side16
    | Side32
    | Side64
    | Side128
    | Side256

    /// The side in latents.
    member this.Latents =
        match this with
        | Side4 -> 4
        | Side8 -> 8
        | Side16 -> 16
        | Side32 -> 32
        | Side64 -> 64
        | Side128 -> 128
        | Side256 -> 256

    /// The tile side of `latents`, if it is a power of two from 4 to 256.
    static member TryOf(latents: int) =
        match latents with
        | 4 -> ValueSome Side4
        | 8 -> ValueSome Side8
        | 16 -> ValueSome Side16
        | 32 -> ValueSome Side32
        | 64 -> ValueSome Side64
        | 128 -> ValueSome Side128
        | 256 -> ValueSome Side256
        | _ -> ValueNone

/// How the prior sees the latent grid (spec §3.3, layout bits 4-6).
[<RequireQualifiedAccess>]
type PriorTiling =
    /// The prior is evaluated on the whole grid.
    | WholeGrid
    /// The prior is evaluated on independent square tiles of this side.
    | Tiles of TileSide

/// Entropy coder and table precision of the payload (spec §3.4).
[<RequireQualifiedAccess>]
type CodingScheme =
    /// The range coder of spec §5 with 16-bit frequency tables.
    | RangeCoder16

    /// Table precision in bits.
    member this.PrecisionBits =
        match this with
        | RangeCoder16 -> 16

/// The fixed part of a .vqz file (spec §3).
type VqzHeader =
    {
        /// Version of the file (written: always FormatVersion.Current's major, with this minor).
        Version: FormatVersion
        /// Image width in pixels, >= 1.
        Width: int
        /// Image height in pixels, >= 1.
        Height: int
        /// Colour model.
        Colour: ColourModel
        /// Pixels-to-latents factor.
        Downsampling: Downsampling
        /// Prior tiling.
        Tiling: PriorTiling
        /// Coder and precision of the payload.
        Coding: CodingScheme
        /// Identity of the two models that decode the file.
        ModelsTag: ModelsTag
    }

    /// ceil(Width / factor).
    member this.LatentWidth = this.Downsampling.Latents this.Width
    /// ceil(Height / factor).
    member this.LatentHeight = this.Downsampling.Latents this.Height

/// Parse and write of the header fields, side by side (spec §3).
[<RequireQualifiedAccess>]
module internal HeaderCodec =
    let private colourCode =
        function
        | ColourModel.Grayscale -> 0
        | ColourModel.Rgb -> 1

    let private downsamplingCode =
        function
        | Downsampling.By4 -> 0
        | Downsampling.By8 -> 1
        | Downsampling.By16 -> 2

    let private tilingCode =
        function
        | PriorTiling.WholeGrid -> 0
        | PriorTiling.Tiles side -> Numerics.BitOperations.Log2(uint32 side.Latents) - 1

    /// The major and minor of the version byte at VersionOffset (spec §1.2, §3.2): checked before anything
    /// else, the magic first.
    let readVersion (c: Cursor) =
        parse {
            let! magic = c.ReadSlice(VqzLayout.MagicLength, "header.magic")

            do!
                require
                    (magic.Span.SequenceEqual(ReadOnlySpan(VqzLayout.magic ())))
                    (fun () -> Corrupt(0L, "header.magic", "not a .vqz file (magic is not \"VQZ\")"))

            let! v = c.ReadByte "header.version"
            let version = { Major = int (v >>> 4); Minor = int (v &&& 0x0Fuy) }

            do!
                require (version.Major = VqzLayout.CurrentMajor) (fun () ->
                    UnsupportedVersion(int64 VqzLayout.VersionOffset, version.Major, version.Minor))

            return version
        }

    /// The header after the version byte; also whether a chunk section follows (spec §3.3-§3.6).
    let readRest (limits: VqzLimits) (version: FormatVersion) (c: Cursor) =
        parse {
            let layoutAt = int64 c.Position
            let! layout = c.ReadByte "header.layout"
            let layout = int layout

            let! colour =
                match layout &&& VqzLayout.ColourMask with
                | 0 -> Ok ColourModel.Grayscale
                | 1 -> Ok ColourModel.Rgb
                | code -> Error(Corrupt(layoutAt, "header.colourModel", $"reserved colour model code {code}"))

            let! downsampling =
                match (layout >>> VqzLayout.DownsamplingShift) &&& 0x03 with
                | 0 -> Ok Downsampling.By4
                | 1 -> Ok Downsampling.By8
                | 2 -> Ok Downsampling.By16
                | code -> Error(Corrupt(layoutAt, "header.downsampling", $"reserved downsampling code {code}"))

            let tiling =
                match (layout >>> VqzLayout.TilingShift) &&& 0x07 with
                | 0 -> PriorTiling.WholeGrid
                | code -> PriorTiling.Tiles((TileSide.TryOf(1 <<< (code + 1))).Value)

            let hasChunks = layout &&& VqzLayout.HasChunksBit <> 0
            let codingAt = int64 c.Position
            let! coding = c.ReadByte "header.coding"

            do!
                require (coding = VqzLayout.RangeCoder16) (fun () ->
                    Corrupt(codingAt, "header.coding", $"unknown coding scheme 0x%02x{coding}"))

            let widthAt = int64 c.Position
            let! width = c.ReadVarint "header.width"
            let heightAt = int64 c.Position
            let! height = c.ReadVarint "header.height"
            do! require (width >= 1L) (fun () -> Corrupt(widthAt, "header.width", "width is 0"))
            do! require (height >= 1L) (fun () -> Corrupt(heightAt, "header.height", "height is 0"))
            let maxSide = int64 limits.MaxSide

            do!
                require (width <= maxSide) (fun () ->
                    LimitExceeded(widthAt, "header.width", "MaxSide", width, maxSide))

            do!
                require (height <= maxSide) (fun () ->
                    LimitExceeded(heightAt, "header.height", "MaxSide", height, maxSide))

            do!
                require (width * height <= limits.MaxPixels) (fun () ->
                    LimitExceeded(widthAt, "header.width*height", "MaxPixels", width * height, limits.MaxPixels))

            let! tag = c.ReadSlice(VqzLayout.ModelsTagLength, "header.modelsTag")

            let header =
                {
                    Version = version
                    Width = int width
                    Height = int height
                    Colour = colour
                    Downsampling = downsampling
                    Tiling = tiling
                    Coding = CodingScheme.RangeCoder16
                    ModelsTag = ModelsTag(BinaryPrimitives.ReadUInt32BigEndian tag.Span)
                }

            return header, hasChunks
        }

    /// Checks what the types do not: sides >= 1, a version this library can write.
    let validate (h: VqzHeader) =
        if h.Width < 1 || h.Height < 1 then
            invalidArg "header" $"width and height must be >= 1, not {h.Width} x {h.Height}"

        if h.Version.Major <> VqzLayout.CurrentMajor || h.Version.Minor < 0 || h.Version.Minor > 15 then
            invalidArg "header" $"cannot write format version {h.Version}"

    /// Writes the header (spec §3.1-§3.6).
    let write (w: IBufferWriter<byte>) (h: VqzHeader) (hasChunks: bool) =
        validate h
        Emit.bytes w (ReadOnlySpan(VqzLayout.magic ()))
        Emit.u8 w (byte ((h.Version.Major <<< 4) ||| h.Version.Minor))

        let layout =
            colourCode h.Colour
            ||| (downsamplingCode h.Downsampling <<< VqzLayout.DownsamplingShift)
            ||| (tilingCode h.Tiling <<< VqzLayout.TilingShift)
            ||| (if hasChunks then VqzLayout.HasChunksBit else 0)

        Emit.u8 w (byte layout)
        Emit.u8 w VqzLayout.RangeCoder16
        Emit.varint w (int64 h.Width)
        Emit.varint w (int64 h.Height)
        let tag = w.GetSpan VqzLayout.ModelsTagLength
        BinaryPrimitives.WriteUInt32BigEndian(tag, h.ModelsTag.Value)
        w.Advance VqzLayout.ModelsTagLength
