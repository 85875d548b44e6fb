module VqVae.Codec.Format.Tests.ContainerTests

open System
open System.Security.Cryptography
open System.Text
open FsCheck.Xunit
open Xunit
open VqVae.Codec.Format
open VqVae.Codec.Format.Tests.Samples

/// Chunks compared by content (ReadOnlyMemory compares by reference).
let private contentOf (chunk: VqzChunk) =
    match chunk with
    | VqzChunk.Metadata entries -> sprintf "%A" entries
    | VqzChunk.ModelNames names -> String.Join(";", names |> List.map (fun n -> $"{n.Role}:{n.Name}:{n.Digest.Hex}"))
    | VqzChunk.EmbeddedModels models -> String.Join(";", models |> List.map (fun m -> $"{m.Role}:{Convert.ToHexString m.Data.Span}"))
    | VqzChunk.GridChecksum crc -> $"grid:%08x{crc}"
    | VqzChunk.Levels levels -> $"levels:{levels}"
    | VqzChunk.UnknownOptional(t, data) -> $"{t}:{Convert.ToHexString data.Span}"

let private randomChunks (rng: Random) =
    let text n = String(Array.init n (fun _ -> "abcé€ xyzÖ".[rng.Next 10]))
    let digest () = Sha256Digest.Of(ReadOnlySpan(Array.init 8 (fun _ -> byte (rng.Next 256))))
    let roles = if rng.Next 2 = 0 then [ ModelRole.Autoencoder ] else [ ModelRole.Prior; ModelRole.Autoencoder ]

    [
        if rng.Next 2 = 0 then
            VqzChunk.Metadata [ for i in 0 .. rng.Next 4 -> { Key = $"k{i}{text 3}"; Value = text (rng.Next 40) } ]
        if rng.Next 2 = 0 then
            VqzChunk.UnknownOptional(byte (0x05 + rng.Next 0x7B), ReadOnlyMemory(Array.init (rng.Next 20) byte))
        if rng.Next 2 = 0 then
            VqzChunk.GridChecksum(uint32 (rng.NextInt64 0x1_0000_0000L))
        if rng.Next 2 = 0 then
            VqzChunk.ModelNames [ for r in roles -> { Role = r; Name = "m" + text (rng.Next 30); Digest = digest () } ]
        if rng.Next 2 = 0 then
            VqzChunk.EmbeddedModels
                [ for r in roles -> { Role = r; Data = ReadOnlyMemory(Array.init (1 + rng.Next 3000) (fun i -> byte (i % 17 * rng.Next 3))) } ]
    ]

[<Property(MaxTest = 300)>]
let ``any header, chunks and payload round-trip`` (seed: int) =
    let rng = Random seed
    let side () = if rng.Next 4 = 0 then 1 + rng.Next 65535 else 1 + rng.Next 300

    let header =
        {
            Version = { Major = 1; Minor = rng.Next 16 }
            Width = side ()
            Height = side ()
            Colour = if rng.Next 2 = 0 then ColourModel.Grayscale else ColourModel.Rgb
            Downsampling = [| Downsampling.By4; Downsampling.By8; Downsampling.By16 |].[rng.Next 3]
            Tiling =
                match TileSide.TryOf(1 <<< rng.Next(1, 9)) with
                | ValueSome s -> PriorTiling.Tiles s
                | ValueNone -> PriorTiling.WholeGrid
            Coding = CodingScheme.RangeCoder16
            ModelsTag = ModelsTag(uint32 (rng.NextInt64(0L, 1L <<< 32)))
        }

    let header =
        if int64 header.Width * int64 header.Height > VqzLimits.Default.MaxPixels then { header with Height = 1 } else header

    let chunks = randomChunks rng
    let payload = Array.init (rng.Next 500) (fun _ -> byte (rng.Next 256))
    let bytes = Vqz.write { Header = header; Chunks = chunks; Payload = ReadOnlyMemory payload }
    let back = Vqz.readDetailed VqzReaderOptions.Default (ReadOnlyMemory bytes)
    Assert.Equal(header, back.File.Header)
    Assert.Equal<string list>(List.map contentOf chunks, List.map contentOf back.File.Chunks)
    Assert.Equal<byte[]>(payload, back.File.Payload.ToArray())
    Assert.Equal(int64 bytes.Length, back.Placement.FileLength)
    Assert.Equal<byte[]>(bytes, Vqz.write back.File)

[<Fact>]
let ``a 32x32 image with installed models and no chunks has 16 bytes of overhead`` () =
    let payload = Array.create 72 0xA5uy
    let bytes = Vqz.write (file 32 32 [] payload)
    Assert.Equal(16, bytes.Length - payload.Length)
    Assert.Equal(16L, (Vqz.readDetailed VqzReaderOptions.Default (ReadOnlyMemory bytes)).Placement.OverheadLength)

[<Fact>]
let ``the header bytes are laid out as the spec's table says`` () =
    let h =
        { header 293 181 with
            Colour = ColourModel.Rgb
            Downsampling = Downsampling.By8
            Tiling = PriorTiling.Tiles TileSide.Side8 }

    let bytes = Vqz.write { Header = h; Chunks = []; Payload = ReadOnlyMemory [| 0x77uy |] }
    let expected = [| 0x56uy; 0x51uy; 0x5Auy; 0x10uy; 0x25uy; 0x01uy; 0xA5uy; 0x02uy; 0xB5uy; 0x01uy; 1uy; 2uy; 3uy; 4uy; 0x77uy |]
    Assert.Equal<byte[]>(expected, bytes[.. bytes.Length - 5])

[<Fact>]
let ``the models tag is the first 4 bytes of SHA-256 of both digests`` () =
    let a, b = Sha256Digest.Of(ReadOnlySpan "a"B), Sha256Digest.Of(ReadOnlySpan "b"B)
    let both = SHA256.HashData(Array.append (SHA256.HashData "a"B) (SHA256.HashData "b"B))
    Assert.Equal(Convert.ToHexStringLower both[..3], string (ModelsTag.OfDigests(a, b)))

[<Fact>]
let ``a newer minor version with an unknown optional chunk is read and the chunk kept`` () =
    let bytes = Vqz.write { file 8 8 [ VqzChunk.UnknownOptional(0x40uy, ReadOnlyMemory "future"B) ] [| 1uy |] with Header = { header 8 8 with Version = { Major = 1; Minor = 7 } } }
    let f = read bytes
    Assert.Equal({ Major = 1; Minor = 7 }, f.Header.Version)

    match f.Chunks with
    | [ VqzChunk.UnknownOptional(0x40uy, data) ] -> Assert.Equal("future", Encoding.ASCII.GetString data.Span)
    | other -> failwith $"{other}"

[<Fact>]
let ``another major version is rejected as unsupported before the checksum is looked at`` () =
    for v in [ 0x20uy; 0x00uy; 0xF3uy ] do
        let bytes = Vqz.write (file 8 8 [] [| 1uy |])
        bytes[3] <- v
        let e = Assert.Throws<VqzFormatException>(fun () -> read bytes |> ignore)
        Assert.Equal(VqzErrorKind.UnsupportedVersion, e.Kind)
        Assert.Equal(3L, e.Offset)
        Assert.Equal("header.version", e.Path)

[<Fact>]
let ``an unknown required chunk is rejected`` () =
    let bytes = Vqz.write (file 8 8 [ VqzChunk.UnknownOptional(0x41uy, ReadOnlyMemory "x"B) ] [| 1uy |])
    let at = Array.IndexOf(bytes, 0x41uy)
    bytes[at] <- 0xC1uy
    let e = readError VqzReaderOptions.Default (withChecksum bytes)
    Assert.Equal(VqzErrorKind.UnsupportedRequiredChunk, e.Kind)
    Assert.Equal(int64 at, e.Offset)

[<Fact>]
let ``a changed payload byte fails the checksum unless verification is off`` () =
    let bytes = Vqz.write (file 8 8 [] [| 1uy; 2uy; 3uy |])
    bytes[13] <- 9uy
    let e = Assert.Throws<VqzFormatException>(fun () -> read bytes |> ignore)
    Assert.Equal(VqzErrorKind.ChecksumMismatch, e.Kind)
    Assert.Equal(int64 (bytes.Length - 4), e.Offset)
    Assert.Contains("checksum", e.Message)
    Assert.Equal<byte[]>([| 1uy; 9uy; 3uy |], (Vqz.read noChecksum (ReadOnlyMemory bytes)).Payload.ToArray())

[<Fact>]
let ``fields the specification does not allow are corrupt, with offset and path`` () =
    let check (patch: byte[] -> unit) (offset: int64) (path: string) =
        let bytes = Vqz.write (file 8 8 [] [| 1uy |])
        patch bytes
        let e = readError VqzReaderOptions.Default (withChecksum bytes)
        Assert.Equal(VqzErrorKind.Corrupt, e.Kind)
        Assert.Equal(offset, e.Offset)
        Assert.Equal(path, e.Path)

    check (fun b -> b[0] <- 0x57uy) 0L "header.magic"
    check (fun b -> b[4] <- 0x03uy) 4L "header.colourModel"
    check (fun b -> b[4] <- 0x0Cuy) 4L "header.downsampling"
    check (fun b -> b[5] <- 0x02uy) 5L "header.coding"
    check (fun b -> b[6] <- 0x00uy) 6L "header.width"
    check (fun b -> b[7] <- 0x00uy) 7L "header.height"

[<Fact>]
let ``duplicate chunks and bad chunk contents are corrupt`` () =
    let meta = VqzChunk.Metadata [ { Key = "a"; Value = "b" } ]
    // An unknown chunk whose data is a valid METADATA body (one entry "c" = ""), then retyped as METADATA.
    let bytes = Vqz.write (file 8 8 [ meta; VqzChunk.UnknownOptional(0x40uy, ReadOnlyMemory [| 1uy; 1uy; 0x63uy; 0uy |]) ] [| 1uy |])
    let at = Array.IndexOf(bytes, 0x40uy)
    bytes[at] <- 0x01uy
    let e = readError VqzReaderOptions.Default (withChecksum bytes)
    Assert.Equal(VqzErrorKind.Corrupt, e.Kind)
    Assert.Equal("chunks", e.Path)

    let bytes = Vqz.write (file 8 8 [ VqzChunk.Metadata [ { Key = "a"; Value = "\u00e9" } ] ] [| 1uy |])
    let at = Array.IndexOf(bytes, 0xC3uy)
    bytes[at] <- 0xFFuy
    let e = readError VqzReaderOptions.Default (withChecksum bytes)
    Assert.Equal("chunks[0].metadata[0].value", e.Path)
    Assert.Contains("UTF-8", e.Reason)

[<Fact>]
let ``a damaged LZ4 block is corrupt`` () =
    let data = Array.init 4000 (fun i -> byte (i % 7))
    let bytes = Vqz.write (file 8 8 [ VqzChunk.EmbeddedModels [ { Role = ModelRole.Prior; Data = ReadOnlyMemory data } ] ] [| 1uy |])
    let f = read bytes

    match f.Chunks with
    | [ VqzChunk.EmbeddedModels [ m ] ] -> Assert.Equal<byte[]>(data, m.Data.ToArray())
    | other -> failwith $"{other}"

    let packed = Array.zeroCreate<byte> (K4os.Compression.LZ4.LZ4Codec.MaximumOutputSize data.Length)
    let packedLength = K4os.Compression.LZ4.LZ4Codec.Encode(ReadOnlySpan data, Span packed)
    let dataStart = bytes.Length - 4 - 1 - packedLength
    // A first token that claims more literals than the block holds.
    bytes[dataStart] <- 0xF0uy
    bytes[dataStart + 1] <- 0xFFuy
    bytes[dataStart + 2] <- 0xFFuy
    let e = readError noChecksum bytes
    Assert.Equal(VqzErrorKind.Corrupt, e.Kind)
    Assert.Equal("chunks[0].embeddedModels[0].data", e.Path)

[<Fact>]
let ``the writer refuses what the format cannot hold`` () =
    let bad (f: VqzFile) = Assert.ThrowsAny<ArgumentException>(fun () -> Vqz.write f |> ignore) |> ignore
    bad (file 0 8 [] [||])
    bad { file 8 8 [] [||] with Header = { header 8 8 with Version = { Major = 2; Minor = 0 } } }
    bad (file 8 8 [ VqzChunk.Metadata []; ] [||])
    bad (file 8 8 [ VqzChunk.Metadata [ { Key = "a"; Value = "" } ]; VqzChunk.Metadata [ { Key = "b"; Value = "" } ] ] [||])
    bad (file 8 8 [ VqzChunk.Metadata [ { Key = String('k', 256); Value = "" } ] ] [||])
    bad (file 8 8 [ VqzChunk.UnknownOptional(0x81uy, ReadOnlyMemory [||]) ] [||])
    bad (file 8 8 [ VqzChunk.UnknownOptional(0x02uy, ReadOnlyMemory [||]) ] [||])
