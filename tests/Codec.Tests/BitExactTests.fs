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

    /// The thesis-size network (128 hidden channels, 512 codes; random weights): the kernels a trained
    /// default model runs, on a 256 x 192 image.
    [<Fact>]
    member _.``the thesis-size VQ-VAE gives bit-identical images and codes with 1 and 2 TorchSharp threads``() =
        torch.random.manual_seed 5L |> ignore
        use network = new VqVae.Codec.Models.Networks.VqVaeNetwork(VqVae.Codec.Models.Networks.VqVaeArchitecture(), VqVae.Codec.Models.Quantizers.QuantizerOptions())
        network.eval ()
        use codes = torch.randint(512L, [| 1L; 48L; 64L |], dtype = torch.int64)
        use images = torch.rand(1L, 3L, 192L, 256L) - 0.5

        let run threads =
            withTorchThreads threads (fun () ->
                use decoded = network.DecodeCodes codes
                use encoded = network.EncodeToCodes images
                decoded.data<float32>().ToArray(), encoded.data<int64>().ToArray())

        let pixels1, codes1 = run 1
        let pixels2, codes2 = run 2
        let differing = Array.fold2 (fun n (a: float32) b -> if BitConverter.SingleToInt32Bits a <> BitConverter.SingleToInt32Bits b then n + 1 else n) 0 pixels1 pixels2
        let codesDiffering = Array.fold2 (fun n (a: int64) b -> if a <> b then n + 1 else n) 0 codes1 codes2
        output.WriteLine $"decoder: {differing} of {pixels1.Length} floats differ; encoder: {codesDiffering} of {codes1.Length} codes differ"
        Assert.Equal(0, differing)
        Assert.Equal(0, codesDiffering)

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
