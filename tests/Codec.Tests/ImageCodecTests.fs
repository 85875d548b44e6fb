module VqVae.Codec.Codec.Tests.ImageCodecTests

open System
open System.Threading
open Xunit
open VqVae.Codec.Format
open VqVae.Codec.Models.Files
open VqVae.Codec.Pipeline
open VqVae.Codec.Codec.Tests.TestData
open VqVae.Codec.Codec.Tests.TinyModels

let private options = { CodecOptions.Default with Threads = 2 }
let private none = CancellationToken.None

[<Theory>]
[<InlineData(32, 32, 3, 0)>]
[<InlineData(37, 23, 3, 4)>]
[<InlineData(1, 1, 3, 0)>]
[<InlineData(70, 45, 1, 8)>]
let ``an image round-trips: the decoder recovers exactly the codes, at the original size and colour model`` (w: int, h: int, channels: int, tile: int) =
    use catalog = TinyModels.catalog tile
    let encoded = ImageCodec.encode catalog options None (image w h channels) none
    let decoded = ImageCodec.decode catalog options VqzReaderOptions.Default (ReadOnlyMemory encoded.Bytes) none
    Assert.Equal<int[]>(encoded.Codes, decoded.Codes)
    Assert.Equal((w, h), (decoded.Image.Width, decoded.Image.Height))
    Assert.Equal((if channels = 1 then ColourModel.Grayscale else ColourModel.Rgb), decoded.Header.Colour)
    Assert.Equal((channels = 1), decoded.Image.SourceIsGray)
    Assert.Equal((h + 3) / 4 * ((w + 3) / 4), decoded.Codes.Length)
    Assert.True(encoded.Codes |> Array.distinct |> Array.length >= min 3 decoded.Codes.Length, "the test model must produce varied codes")
    // Verification decoded the same image the separate decode gives.
    Assert.Equal<byte[]>(encoded.Reconstruction.Value.Pixels, decoded.Image.Pixels)

[<Fact>]
let ``encoding is deterministic: the same image gives the same bytes with 1 and 2 threads`` () =
    use catalog = TinyModels.catalog 4
    let img = image 50 42 3
    let one = ImageCodec.encode catalog { options with Threads = 1 } None img none
    let two = ImageCodec.encode catalog { options with Threads = 2 } None img none
    Assert.Equal<byte[]>(one.Bytes, two.Bytes)

[<Fact>]
let ``a thumbnail coded with built-in models carries at most 16 bytes of container overhead`` () =
    use catalog = TinyModels.catalog 0
    let builtIn = catalog.Sources |> List.map (fun s -> { s with BuiltIn = true })
    use catalog = ModelCatalog.create builtIn catalog.Presets
    let encoded = ImageCodec.encode catalog options None (image 32 32 3) none
    let placement = (Vqz.readDetailed VqzReaderOptions.Default (ReadOnlyMemory encoded.Bytes)).Placement
    Assert.True(placement.OverheadLength <= 16L, $"overhead {placement.OverheadLength} bytes")

[<Fact>]
let ``decoding without the models names them and their digests`` () =
    use encoding = TinyModels.catalog 0
    let encoded = ImageCodec.encode encoding options None (image 16 16 3) none
    // A catalogue where a different file carries the same VQ-VAE name.
    let other = TinyModels.vqvaeBytes 9L 4
    use decoding = ModelCatalog.create [ ModelSource.ofBytes "elsewhere/tiny-f4.vqm" false other ] []
    let e = Assert.Throws<VqzModelException>(fun () -> ImageCodec.decode decoding options VqzReaderOptions.Default (ReadOnlyMemory encoded.Bytes) none |> ignore)
    Assert.Equal(ModelProblem.Missing, e.Problem)
    Assert.Contains("'tiny-f4'", e.Message)
    Assert.Contains(encoded.Models.VqVaeSource.Digest.Hex, e.Message)
    Assert.Contains("a model of that name is installed (elsewhere/tiny-f4.vqm) but its sha256 is", e.Message)

[<Fact>]
let ``a file with embedded models decodes where they are not installed`` () =
    use encoding = TinyModels.catalog 0
    let encoded = ImageCodec.encode encoding { options with EmbedModels = true } None (image 20 12 3) none
    use empty = ModelCatalog.create [] []
    let decoded = ImageCodec.decode empty options VqzReaderOptions.Default (ReadOnlyMemory encoded.Bytes) none
    Assert.Equal<int[]>(encoded.Codes, decoded.Codes)

[<Fact>]
let ``a unigram prior codes too, and a MADE prior is refused with a reason`` () =
    use catalog = TinyModels.catalog 0
    let v = catalog.Find("vqvae", "tiny-f4")
    let models = catalog.Load(v, catalog.Find("prior", "tiny-unigram"))
    let encoded = ImageCodec.encode catalog options (Some models) (image 24 24 3) none
    let decoded = ImageCodec.decode catalog options VqzReaderOptions.Default (ReadOnlyMemory encoded.Bytes) none
    Assert.Equal<int[]>(encoded.Codes, decoded.Codes)
    let made = ModelSource.ofBytes "test:made.vqp" false (TinyModels.priorBytes 4L VqVae.Codec.Models.Priors.PriorKind.Made v.Bytes)
    let e = Assert.Throws<VqzModelException>(fun () -> ImageCodec.encode catalog options (Some(catalog.Load(v, made))) (image 32 32 3) none |> ignore)
    Assert.Equal(ModelProblem.NotCodable, e.Problem)

[<Fact>]
let ``many images coded together give the files and images of images coded one by one`` () =
    use catalog = TinyModels.catalog 4
    let images = [| image 32 32 3; image 32 32 1; image 20 12 3; image 32 32 3 |]
    let together = ImageCodec.encodeMany catalog options None images none
    let alone = images |> Array.map (fun i -> ImageCodec.encode catalog options None i none)
    for j in 0 .. images.Length - 1 do
        Assert.Equal<byte[]>(alone[j].Bytes, together[j].Bytes)

    let decoded = ImageCodec.decodeMany catalog options VqzReaderOptions.Default (together |> Array.map (fun e -> ReadOnlyMemory e.Bytes)) none
    for j in 0 .. images.Length - 1 do
        Assert.Equal<int[]>(together[j].Codes, decoded[j].Codes)
        Assert.Equal<byte[]>(alone[j].Reconstruction.Value.Pixels, decoded[j].Image.Pixels)

[<Fact>]
let ``verifying apart from encoding gives the verified encoding, and a code the file does not hold fails verification`` () =
    use catalog = TinyModels.catalog 4
    let images = [| image 32 32 3; image 20 12 3; image 32 32 1 |]
    let verified = ImageCodec.encodeMany catalog options None images none
    let unverified = ImageCodec.encodeMany catalog { options with Verify = false } None images none
    Assert.All(unverified, fun e -> Assert.True(e.Reconstruction.IsNone))
    let later = ImageCodec.verifyMany catalog options unverified none

    for j in 0 .. images.Length - 1 do
        Assert.Equal<byte[]>(verified[j].Bytes, later[j].Bytes)
        Assert.Equal<byte[]>(verified[j].Reconstruction.Value.Pixels, later[j].Reconstruction.Value.Pixels)
        Assert.True(later[j].Timings.VerifyMs > 0.0)

    // The encoder "wrote" another code at position 5 of the second image than its file holds.
    let grid = Array.copy unverified[1].Codes
    grid[5] <- (grid[5] + 1) % 32
    let wrong = Array.copy unverified
    wrong[1] <- { unverified[1] with Grids = [| grid |] }
    let e = Assert.Throws<InvalidOperationException>(fun () -> ImageCodec.verifyMany catalog options wrong none |> ignore)
    Assert.Contains("verification failed: level 1", e.Message)
    Assert.Contains("at position 5", e.Message)

[<Fact>]
let ``seventy thumbnails (two network passes, the prior split between threads) give the files and images of one-by-one coding`` () =
    use catalog = TinyModels.catalog 0
    // 70 > ImageCodec.forwardBatch 32 32 = 64 images per network pass, and 70 >= 2 threads x MinGridsPerThread grids.
    Assert.True(70 > ImageCodec.forwardBatch 32 32 && 70 >= 2 * PriorCoding.MinGridsPerThread)

    let images =
        Array.init 70 (fun k ->
            let i = image 32 32 3
            let p = i.Pixels
            for b in 0 .. p.Length - 1 do p[b] <- byte (int p[b] + 37 * k + b % (k % 5 + 2))
            i)

    let together = ImageCodec.encodeMany catalog options None images none
    let alone = images |> Array.map (fun i -> ImageCodec.encode catalog { options with Threads = 1 } None i none)
    Assert.True((together |> Array.map (fun e -> e.Codes) |> Array.distinct).Length > 60, "the images must give different grids")

    for j in 0 .. images.Length - 1 do
        Assert.Equal<byte[]>(alone[j].Bytes, together[j].Bytes)
        Assert.Equal<byte[]>(alone[j].Reconstruction.Value.Pixels, together[j].Reconstruction.Value.Pixels)

    let decoded = ImageCodec.decodeMany catalog options VqzReaderOptions.Default (together |> Array.map (fun e -> ReadOnlyMemory e.Bytes)) none
    for j in 0 .. images.Length - 1 do
        Assert.Equal<int[]>(together[j].Codes, decoded[j].Codes)
        Assert.Equal<byte[]>(alone[j].Reconstruction.Value.Pixels, decoded[j].Image.Pixels)

[<Fact>]
let ``a catalogue view shares the loaded models, and disposing it leaves them to the catalogue`` () =
    use catalog = TinyModels.catalog 0
    let v, p = catalog.Find("vqvae", "tiny-f4"), catalog.Find("prior", "tiny-gated-pixelcnn")
    let models = catalog.Load(v, p)
    let view = catalog.With []
    Assert.Same(models, view.Load(v, p))
    (view :> IDisposable).Dispose()
    // Still usable: the view did not dispose the networks it shares.
    let encoded = ImageCodec.encode catalog options (Some models) (image 24 24 3) none
    Assert.Equal<int[]>(encoded.Codes, (ImageCodec.decode catalog options VqzReaderOptions.Default (ReadOnlyMemory encoded.Bytes) none).Codes)

/// The full decode rejects a header whose size exceeds the limits in the reader, before it looks up
/// models, loads networks or allocates a code grid: measured on a second call, on this thread.
type HugeHeaderDecodeTests(output: Xunit.Abstractions.ITestOutputHelper) =
    let hugeFile (tag: ModelsTag) =
        Vqz.write
            {
                Header = vqzHeader 65535 65535 ColourModel.Rgb Downsampling.By4 PriorTiling.WholeGrid tag
                Chunks = []
                Payload = ReadOnlyMemory(Array.zeroCreate 64)
            }

    /// The result of `attempt`'s second run (the first warms it up), which must take under 10 ms and
    /// allocate under 1 MB on this thread: a refusal made before any work.
    let rejectedCheaply (attempt: unit -> 'T) =
        attempt () |> ignore
        let before = GC.GetAllocatedBytesForCurrentThread()
        let clock = Diagnostics.Stopwatch.StartNew()
        let result = attempt ()
        let elapsed = clock.Elapsed.TotalMilliseconds
        let allocated = GC.GetAllocatedBytesForCurrentThread() - before
        output.WriteLine $"rejected in {elapsed:F3} ms with {allocated} bytes allocated"
        Assert.True(elapsed < 10.0, $"took {elapsed} ms")
        Assert.True(allocated < 1_000_000L, $"allocated {allocated} bytes")
        result

    let measure (catalog: ModelCatalog) (bytes: byte[]) =
        let attempt () =
            try
                ImageCodec.decode catalog options VqzReaderOptions.Default (ReadOnlyMemory bytes) none |> ignore
                None
            with e ->
                Some e

        let result = rejectedCheaply attempt

        match result with
        | Some(:? VqzFormatException as e) ->
            Assert.Equal(VqzErrorKind.LimitExceeded, e.Kind)
            Assert.Equal("header.width*height", e.Path)
        | other -> failwith $"expected the MaxPixels limit, got {other}"

    [<Fact>]
    member _.``a 65535 x 65535 header naming no installed model is a format error, not a missing model``() =
        use empty = ModelCatalog.create [] []
        measure empty (hugeFile (ModelsTag 0x01020304u))

    [<Fact>]
    member _.``a 65535 x 65535 header naming installed models is rejected without loading them``() =
        use tiny = TinyModels.catalog 0
        let v = tiny.Find("vqvae", "tiny-f4")
        let p = tiny.Find("prior", "tiny-gated-pixelcnn")
        // The catalogue finds the pair by the header's tag, but their bytes are not model files:
        // loading them would raise ModelFileException instead of the limit error.
        use trapped = ModelCatalog.create [ { v with Bytes = [| 0uy |] }; { p with Bytes = [| 0uy |] } ] []
        let tag = ModelsTag.OfDigests(v.Digest, p.Digest)
        Assert.True((trapped.TryFindByTag tag).IsSome)
        Assert.Throws<ModelFileException>(fun () -> trapped.TryLoad tag |> ignore) |> ignore
        measure trapped (hugeFile tag)

    [<Fact>]
    member _.``the default pixel limit admits a 12-megapixel phone photo and a 4000 x 4000 one but not 4096 x 4096``() =
        let limit = CodecOptions.Default.MaxPixels
        Assert.True(4032L * 3024L <= limit && 4000L * 4000L <= limit, $"limit {limit}")
        Assert.True(4096L * 4096L > limit, $"limit {limit}")

    [<Fact>]
    member _.``a 16384 x 16384 header with an empty payload, valid for the format, is refused by MaxPixels before models are loaded``() =
        use tiny = TinyModels.catalog 0
        let v = tiny.Find("vqvae", "tiny-f4")
        let p = tiny.Find("prior", "tiny-gated-pixelcnn")
        use trapped = ModelCatalog.create [ { v with Bytes = [| 0uy |] }; { p with Bytes = [| 0uy |] } ] []
        let file =
            Vqz.write
                {
                    Header = vqzHeader 16384 16384 ColourModel.Rgb Downsampling.By4 (PriorTiling.Tiles TileSide.Side32) (ModelsTag.OfDigests(v.Digest, p.Digest))
                    Chunks = []
                    Payload = ReadOnlyMemory.Empty
                }

        let e =
            rejectedCheaply (fun () ->
                Assert.Throws<UnsupportedImageException>(fun () -> ImageCodec.decode trapped options VqzReaderOptions.Default (ReadOnlyMemory file) none |> ignore))

        Assert.Contains("16384x16384", e.Message)
        Assert.Contains("--max-pixels", e.Message)

[<Fact>]
let ``a VQ-VAE of one image channel is not codable`` () =
    let a = VqVae.Codec.Models.Networks.VqVaeArchitecture(HiddenChannels = 8, ResidualChannels = 4, ResidualBlocks = 1, LatentDim = 4, CodebookSize = 32, ImageChannels = 1)
    use network = new VqVae.Codec.Models.Networks.VqVaeNetwork(a, VqVae.Codec.Models.Quantizers.QuantizerOptions())
    let vqvae = VqVaeModel.ToFile(network, "gray-only", Text.Json.Nodes.JsonObject()).ToBytes()
    let prior = priorBytes 2L VqVae.Codec.Models.Priors.PriorKind.Uniform vqvae
    let e = Assert.Throws<VqzModelException>(fun () -> new CodecModels(ModelSource.ofBytes "test:gray-only.vqm" false vqvae, ModelSource.ofBytes "test:u.vqp" false prior) |> ignore)
    Assert.Equal(ModelProblem.NotCodable, e.Problem)
    Assert.Contains("1 image channel", e.Message)

/// A file whose LEVELS chunk asks for more levels than its models code (here: a pair with no level prior,
/// whose tag no conforming writer puts beside LEVELS) is corrupt at the chunk's count, not a missing-model
/// error; a static model set (spec §8.2) has no levels: *unsupported required chunk* there.
[<Fact>]
let ``a file with more code levels than its models code is refused at the LEVELS chunk`` () =
    use catalog = TinyModels.catalog 0
    let encoded = ImageCodec.encode catalog options None (image 32 32 3) none
    let file = Vqz.read VqzReaderOptions.Default (ReadOnlyMemory encoded.Bytes)
    let levels = Vqz.write (VqzLevels.create file.Header file.Chunks [| file.Payload; ReadOnlyMemory.Empty |])
    let e = Assert.Throws<VqzFormatException>(fun () -> ImageCodec.decode catalog options VqzReaderOptions.Default (ReadOnlyMemory levels) none |> ignore)
    Assert.Equal(VqzErrorKind.Corrupt, e.Kind)
    Assert.Equal("chunks[0].levels.count", e.Path)
    Assert.Contains("2 code levels", e.Message)
    Assert.Contains("at most 1", e.Message)
    let s = Assert.Throws<VqzFormatException>(fun () -> ImageCodec.tryDecodeStaticGrid catalog VqzReaderOptions.Default (ReadOnlyMemory levels) none |> ignore)
    Assert.Equal(VqzErrorKind.UnsupportedRequiredChunk, s.Kind)
    Assert.Equal("chunks[0].type", s.Path)
    // One level through the same function is the file the codec wrote, byte for byte.
    Assert.Equal<byte[]>(encoded.Bytes, Vqz.write (VqzLevels.create file.Header file.Chunks [| file.Payload |]))
