module VqVae.Codec.Codec.Tests.GridChecksumCodecTests

open System
open System.Threading
open Xunit
open VqVae.Codec.Format
open VqVae.Codec.Pipeline
open VqVae.Codec.Codec.Tests.TinyModels

let private options = { CodecOptions.Default with Threads = 2 }
let private none = CancellationToken.None

let private gridChecksumOf (bytes: byte[]) =
    (Vqz.read VqzReaderOptions.Default (ReadOnlyMemory bytes)).Chunks
    |> List.tryPick (function
        | VqzChunk.GridChecksum c -> Some c
        | _ -> None)

[<Fact>]
let ``by default an image larger than 64 x 64 carries its grid's checksum in a 1.1 file, a thumbnail stays a 1.0 file`` () =
    use catalog = TinyModels.catalog 8
    let photo = ImageCodec.encode catalog options None (image 96 72 3) none
    Assert.Equal(Some(GridChecksum.compute [ photo.Codes ]), gridChecksumOf photo.Bytes)
    Assert.Equal(0x11uy, photo.Bytes[VqzLayout.VersionOffset])
    Assert.Equal<int[]>(photo.Codes, (ImageCodec.decode catalog options VqzReaderOptions.Default (ReadOnlyMemory photo.Bytes) none).Codes)

    // Without MODEL-NAMES the checksum is the only chunk: 7 bytes (count, type, length, value).
    let alone = { options with ModelNames = ModelNamesPolicy.Never }
    let thumbnail = ImageCodec.encode catalog alone None (image 64 64 3) none
    Assert.Equal(None, gridChecksumOf thumbnail.Bytes)
    Assert.Equal(0x10uy, thumbnail.Bytes[VqzLayout.VersionOffset])
    let always = ImageCodec.encode catalog { alone with GridChecksum = GridChecksumPolicy.Always } None (image 64 64 3) none
    Assert.Equal(thumbnail.Bytes.Length + 7, always.Bytes.Length)
    let never = ImageCodec.encode catalog { alone with GridChecksum = GridChecksumPolicy.Never } None (image 96 72 3) none
    Assert.Equal((ImageCodec.encode catalog alone None (image 96 72 3) none).Bytes.Length - 7, never.Bytes.Length)
    Assert.Equal(0x10uy, never.Bytes[VqzLayout.VersionOffset])

/// A grid that does not give the stored checksum stops the decoder before any pixel is made: here the
/// stored value is changed (and the file's CRC recomputed, as a non-conforming writer or decoder would not notice).
[<Fact>]
let ``a file whose grid does not give its grid checksum is refused with the chunk's offset`` () =
    use catalog = TinyModels.catalog 8
    let bytes = (ImageCodec.encode catalog options None (image 96 72 3) none).Bytes
    let placement = (Vqz.readDetailed VqzReaderOptions.Default (ReadOnlyMemory bytes)).Placement
    let place = placement.Chunks |> List.find (fun c -> c.TypeCode = VqzLayout.GridChecksumChunk)
    let valueAt = int place.Offset + 2
    bytes[valueAt + 3] <- bytes[valueAt + 3] ^^^ 1uy
    Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), Vqz.checksum (ReadOnlySpan(bytes, 0, bytes.Length - 4)))
    let e = Assert.Throws<VqzFormatException>(fun () -> ImageCodec.decode catalog options VqzReaderOptions.Default (ReadOnlyMemory bytes) none |> ignore)
    Assert.Equal(VqzErrorKind.GridChecksumMismatch, e.Kind)
    Assert.Equal(place.Offset, e.Offset)
    Assert.Equal($"chunks[{placement.Chunks.Length - 1}].gridChecksum", e.Path)

/// A deliberately wrong evaluator: the gated prior's embedding of one code perturbed (a decoder whose
/// float32 arithmetic differs from the spec's somewhere). It decodes other codes from the same
/// payload without any error of its own; the grid checksum is what stops it.
[<Fact>]
let ``a decoder with a wrong evaluator is caught by the grid checksum`` () =
    use catalog = TinyModels.catalog 8
    let encoded = ImageCodec.encode catalog options None (image 96 72 3) none
    let read = Vqz.readDetailed VqzReaderOptions.Default (ReadOnlyMemory encoded.Bytes)
    let models = encoded.Models
    let right = models.GatedWeights.Value
    let wrong = { right with Embedding = right.Embedding |> Array.mapi (fun i v -> if i < 8 then v * 1.5f else v) }
    let shape: VqVae.Codec.Entropy.GridShape = { Height = read.File.Header.LatentHeight; Width = read.File.Header.LatentWidth }
    let decodeWith weights = (PriorCoding.decodeGrids models.Prior.Prior (Some weights) 8 1 shape [| read.File.Payload |] none)[0]
    Assert.Equal<int[]>(encoded.Codes, decodeWith right)
    ImageCodec.checkGrid read [| decodeWith right |]
    let grid = decodeWith wrong
    Assert.NotEqual<int[]>(encoded.Codes, grid)
    let e = Assert.Throws<VqzFormatException>(fun () -> ImageCodec.checkGrid read [| grid |])
    Assert.Equal(VqzErrorKind.GridChecksumMismatch, e.Kind)
