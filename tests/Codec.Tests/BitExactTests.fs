module VqVae.Codec.Codec.Tests.BitExactTests

open System
open System.Diagnostics
open System.Threading
open Xunit
open Xunit.Abstractions
open TorchSharp
open VqVae.Codec.Entropy
open VqVae.Codec.Format
open VqVae.Codec.Prior
open VqVae.Codec.Pipeline
open VqVae.Codec.Models.Priors
open VqVae.Codec.Codec.Tests.TinyModels

/// torch.set_num_threads is process-wide: these tests run alone, not beside other tests.
[<CollectionDefinition("torch threads", DisableParallelization = true)>]
type TorchThreadsCollection() =
    class
    end

let private none = CancellationToken.None

/// Runs `f` with `n` TorchSharp intra-op threads, then restores the previous count.
let private withTorchThreads (n: int) (f: unit -> 'T) =
    let before = torch.get_num_threads ()
    torch.set_num_threads n
    Assert.Equal(n, torch.get_num_threads ())

    try
        f ()
    finally
        torch.set_num_threads before

/// A catalogue with a thesis-size VQ-VAE (the architecture's defaults: 128 hidden channels, 512 codes)
/// with seeded random weights, and a unigram prior over its codes.
let private thesisCatalog () =
    torch.random.manual_seed 5L |> ignore
    use network = new VqVae.Codec.Models.Networks.VqVaeNetwork(VqVae.Codec.Models.Networks.VqVaeArchitecture(), VqVae.Codec.Models.Quantizers.QuantizerOptions())
    network.eval ()
    let vqvae = VqVae.Codec.Models.Files.VqVaeModel.ToFile(network, "thesis-f4", Text.Json.Nodes.JsonObject()).ToBytes()
    let a = PriorArchitecture(Kind = PriorKind.Unigram, CodebookSize = 512)
    use prior = PriorFactory.Create(a, Array.init 512 (fun i -> int64 (1 + i % 7)))
    let digest = VqVae.Codec.Models.Files.ModelFile.DigestOf(ReadOnlySpan vqvae)
    let priorBytes = PriorModel.ToFile(prior, "thesis-unigram", digest, Text.Json.Nodes.JsonObject()).ToBytes()
    ModelCatalog.create [ ModelSource.ofBytes "test:thesis-f4.vqm" false vqvae; ModelSource.ofBytes "test:thesis-unigram.vqp" false priorBytes ] []

[<Collection("torch threads")>]
type ThreadTests(output: ITestOutputHelper) =
    /// Large enough for libtorch to split its convolutions across threads.
    let image = TinyModels.image 160 120 3

    [<Fact>]
    member _.``a file decodes to byte-identical pixels and codes with 1 and 2 TorchSharp threads``() =
        use catalog = TinyModels.catalog 8
        let options = { CodecOptions.Default with Threads = 2 }
        let encoded = ImageCodec.encode catalog { options with Verify = false } None image none

        let decode threads =
            withTorchThreads threads (fun () ->
                ImageCodec.decode catalog { options with Threads = threads } VqzReaderOptions.Default (ReadOnlyMemory encoded.Bytes) none)

        let one = decode 1
        let two = decode 2
        let differing = Array.fold2 (fun n (a: byte) b -> if a <> b then n + 1 else n) 0 one.Image.Pixels two.Image.Pixels
        output.WriteLine $"{encoded.Codes.Length} codes, {one.Image.Pixels.Length} pixel bytes, {differing} differ between 1 and 2 threads"
        Assert.Equal<int[]>(one.Codes, two.Codes)
        Assert.Equal(0, differing)

    [<Fact>]
    member _.``an image encodes to byte-identical files with 1 and 2 TorchSharp threads``() =
        use catalog = TinyModels.catalog 8

        let encode threads =
            withTorchThreads threads (fun () ->
                ImageCodec.encode catalog { CodecOptions.Default with Threads = threads; Verify = false } None image none)

        let one = encode 1
        let two = encode 2
        output.WriteLine $"{one.Bytes.Length} bytes with 1 thread, {two.Bytes.Length} with 2"
        Assert.Equal<int[]>(one.Codes, two.Codes)
        Assert.Equal<byte[]>(one.Bytes, two.Bytes)

    /// The thesis-size VQ-VAE (128 hidden channels, 512 codes; random weights) with a unigram prior, on
    /// a 256 x 192 image, whatever TorchSharp's thread count on the calling thread: the codec's files
    /// and pixels are the same, and so is every float of the decoder's output as the codec runs it
    /// (ImageCodec.onNetworkThreads; pixels alone would hide differences of an ulp). The network run
    /// directly is printed for comparison: its output depends on the thread count.
    [<Fact>]
    member _.``the codec's files, pixels and decoder floats do not depend on TorchSharp's thread count (thesis-size VQ-VAE)``() =
        use catalog = thesisCatalog ()
        let models = catalog.Load(catalog.Find("vqvae", "thesis-f4"), catalog.Find("prior", "thesis-unigram"))
        let image = TinyModels.image 256 192 3
        let options = { CodecOptions.Default with Threads = 2; Verify = false }
        let floats (t: torch.Tensor) = t.data<float32>().ToArray() |> Array.map BitConverter.SingleToInt32Bits

        let run threads =
            withTorchThreads threads (fun () ->
                let encoded = ImageCodec.encode catalog options (Some models) image none
                let decoded = ImageCodec.decode catalog options VqzReaderOptions.Default (ReadOnlyMemory encoded.Bytes) none
                use codes = torch.tensor(encoded.Codes |> Array.map int64, ReadOnlySpan [| 1L; 48L; 64L |])
                use direct = models.VqVae.Network.DecodeCodes codes
                use fixedThreads = ImageCodec.onNetworkThreads options (fun () -> models.VqVae.Network.DecodeCodes codes)
                encoded.Bytes, decoded.Image.Pixels, floats fixedThreads, floats direct)

        let count (a: 'T[]) (b: 'T[]) = Array.fold2 (fun n x y -> if x <> y then n + 1 else n) 0 a b
        let bytes1, pixels1, fixed1, direct1 = run 1

        for threads in [ 2; 4; 7 ] do
            let bytes, pixels, fixedN, directN = run threads
            let files = if bytes = bytes1 then "identical" else "DIFFER"
            output.WriteLine $"1 vs {threads} threads: network run directly: {count direct1 directN} of {direct1.Length} floats differ; as the codec runs it: {count fixed1 fixedN}; files {files}; {count pixels1 pixels} of {pixels1.Length} pixel bytes differ"
            Assert.Equal<byte[]>(bytes1, bytes)
            Assert.Equal(0, count pixels1 pixels)
            Assert.Equal(0, count fixed1 fixedN)

/// A gated PixelCNN with random weights (scaled up so every dependence shows in the tables).
let private randomPrior (seed: int64) =
    torch.random.manual_seed seed |> ignore
    let a = PriorArchitecture(Kind = PriorKind.GatedPixelCnn, CodebookSize = 32, Channels = 8, Layers = 2, HeadChannels = 16)
    let prior = new GatedPixelCnnPrior(a)
    prior.eval ()
    use _ = torch.no_grad ()

    for p in prior.parameters () do
        p.mul_ (torch.tensor 3.0f) |> ignore

    prior

type GridTests(output: ITestOutputHelper) =
    [<Fact>]
    member _.``for 1,000 random grids the decoder's step-by-step tables equal the encoder's at every position``() =
        use prior = randomPrior 11L
        let weights = GatedPixelCnnWeights.ofPrior prior
        // Shapes and tilings: whole grid, tiles that divide the grid, and cut tiles at the edges.
        let cases = [| (0, 3, 4); (0, 6, 5); (4, 8, 8); (4, 7, 9); (8, 9, 6); (4, 5, 13) |]
        let rng = Random 20240611
        let clock = Stopwatch.StartNew()
        let mutable positions = 0
        let mutable mismatches = 0

        for n in 0..999 do
            let side, h, w = cases[n % cases.Length]
            let shape = { Height = h; Width = w }
            let grid = Array.init shape.Count (fun _ -> rng.Next 32)
            let problems = GridModelCheck.check (GatedPixelCnnGridModel(weights, side, 1 + n % 2)) shape grid
            positions <- positions + shape.Count
            mismatches <- mismatches + problems.Length

            if not problems.IsEmpty then
                output.WriteLine $"grid {n} ({h} x {w}, tiles {side}): {String.Join('\n', problems)}"

        output.WriteLine $"1000 grids, {positions} positions, {mismatches} mismatches, {clock.Elapsed.TotalSeconds:F1} s"
        Assert.Equal(0, mismatches)

    [<Fact>]
    member _.``grids decoded together on 1 and 2 threads give each grid, and a bad payload the first bad grid's error``() =
        use prior = randomPrior 12L
        let weights = GatedPixelCnnWeights.ofPrior prior
        let shape = { Height = 5; Width = 6 }
        let rng = Random 7
        let grids = Array.init 9 (fun _ -> Array.init shape.Count (fun _ -> rng.Next 32))
        let payloads = PriorCoding.encodeGrids prior (Some weights) 0 2 shape grids CancellationToken.None
        let decode threads (files: byte[][]) =
            GatedPixelCnnBatch.decodeGrids weights 0 threads shape (files |> Array.map ReadOnlyMemory) CancellationToken.None

        for threads in [ 1; 2 ] do
            let decoded = decode threads payloads
            for g in 0 .. grids.Length - 1 do
                Assert.Equal<int[]>(grids[g], decoded[g])

        // Grids 3 and 6 have different numbers of bytes after their last symbol: either alone is a typed
        // error naming its count, and together the error is grid 3's, whatever the thread count.
        let bad = Array.copy payloads
        bad[3] <- Array.append payloads[3] (Array.create 6 0x55uy)
        bad[6] <- Array.append payloads[6] (Array.create 17 0x55uy)
        let alone = Assert.Throws<VqzFormatException>(fun () -> decode 1 [| bad[3] |] |> ignore)
        let other = Assert.Throws<VqzFormatException>(fun () -> decode 1 [| bad[6] |] |> ignore)
        Assert.NotEqual<string>(alone.Message, other.Message)
        for threads in [ 1; 2 ] do
            let e = Assert.Throws<VqzFormatException>(fun () -> decode threads bad |> ignore)
            Assert.Equal(alone.Message, e.Message)
