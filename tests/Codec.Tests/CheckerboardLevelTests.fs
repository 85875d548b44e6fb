module VqVae.Codec.Codec.Tests.CheckerboardLevelTests

open System
open System.Threading
open System.Text.Json.Nodes
open Xunit
open TorchSharp
open VqVae.Codec.Entropy
open VqVae.Codec.Prior
open VqVae.Codec.Models.Networks
open VqVae.Codec.Models.Priors
open VqVae.Codec.Models.Quantizers

let private d = 8

/// A level prior with large random (untrained) weights: levels 2 and 3 with K = 16 and 12.
let private randomPrior (seed: int64) =
    torch.random.manual_seed seed |> ignore
    let a = CheckerboardLevelArchitecture(LatentDim = d, LevelCodebookSizes = [| 16; 12 |], ContextChannels = 8, CodeChannels = 4, HiddenChannels = 16)
    let prior = new CheckerboardLevelPrior(a)
    prior.eval ()
    use _ = torch.no_grad ()

    for p in prior.parameters () do
        p.mul_ (torch.tensor 2.0f) |> ignore

    prior

let private randomFloats (seed: int) (n: int) =
    let r = Random seed
    Array.init n (fun _ -> float32 (r.NextDouble() * 2.0 - 1.0))

let private randomGrid (seed: int) (shape: GridShape) k =
    let r = Random seed
    Array.init shape.Count (fun _ -> r.Next k)

/// A tiny network with two further levels (K 32, then 16 and 12), prototypes seeded from noise latents.
let private tinyNetwork (seed: int64) =
    torch.random.manual_seed seed |> ignore

    let a =
        VqVaeArchitecture(
            HiddenChannels = 16,
            ResidualChannels = 8,
            ResidualBlocks = 1,
            LatentDim = d,
            CodebookSize = 32,
            Levels = [| ResidualLevelArchitecture(Dim = 4, CodebookSize = 16); ResidualLevelArchitecture(Dim = 2, CodebookSize = 12) |]
        )

    let network = new VqVaeNetwork(a, QuantizerOptions())
    network.train ()
    use noise = torch.rand (8L, 3L, 32L, 32L) - 0.5
    network.Forward(noise, 0.0) |> ignore
    network.eval ()
    network

[<Fact>]
let ``the evaluator computes the network's logits of both passes`` () =
    use prior = randomPrior 1L
    let weights = CheckerboardLevelWeights.ofPrior prior
    let shape = { Height = 5; Width = 7 }

    for level in [ 2; 3 ] do
        let k = weights.CodesOf level
        let r = randomFloats level (shape.Count * d)
        let grid = randomGrid (10 + level) shape k
        let ours = CheckerboardLevelGridModel(weights, level, r, 1).LogitsForAll(grid, shape)
        use _ = torch.no_grad ()
        use rt = torch.tensor(r, ReadOnlySpan [| 1L; int64 shape.Height; int64 shape.Width; int64 d |]).permute(0, 3, 1, 2).contiguous ()
        use codes = torch.tensor(grid |> Array.map int64, ReadOnlySpan [| 1L; int64 shape.Height; int64 shape.Width |])
        use reference = prior.Forward(rt, level, codes).permute(0, 2, 3, 1).contiguous ()
        let theirs = reference.data<float32>().ToArray()
        let worst = Array.map2 (fun (a: float32) b -> abs (a - b) / (1.0f + abs b)) ours theirs |> Array.max
        Assert.True(worst < 1e-4f, $"level {level}: largest relative difference {worst}")

[<Fact>]
let ``the reconstruction so far is the network's within float rounding`` () =
    use network = tinyNetwork 2L
    let tables = LevelContext.ofNetwork network
    Assert.Equal<int[]>([| 32; 16; 12 |], tables.Codes)
    let shape = { Height = 4; Width = 5 }
    let grids = [| randomGrid 1 shape 32; randomGrid 2 shape 16; randomGrid 3 shape 12 |]
    use _ = torch.no_grad ()
    let tensors = grids |> Array.map (fun g -> torch.tensor(g |> Array.map int64, ReadOnlySpan [| 1L; 4L; 5L |]))
    let before = LevelReconstruction.Before(network, tensors)

    for level in [ 2; 3 ] do
        let ours = LevelContext.before tables shape.Count grids level
        let theirs = before[level - 2].permute(0, 2, 3, 1).contiguous().data<float32>().ToArray()
        let worst = Array.map2 (fun (a: float32) b -> abs (a - b)) ours theirs |> Array.max
        Assert.True(worst < 1e-5f, $"level {level}: {worst}")

    let latents = LevelContext.latentsChannelMajor tables shape.Count grids
    let theirs = network.LevelsToLatents(tensors).contiguous().data<float32>().ToArray()
    Assert.True((Array.map2 (fun (a: float32) b -> abs (a - b)) latents theirs |> Array.max) < 1e-5f)

[<Fact>]
let ``logits are bit-identical for 1, 2 and 4 threads and across evaluations`` () =
    use prior = randomPrior 3L
    let weights = CheckerboardLevelWeights.ofPrior prior
    let shape = { Height = 9; Width = 13 }
    let r = randomFloats 5 (shape.Count * d)
    let grid = randomGrid 6 shape 16
    let run threads = CheckerboardLevelGridModel(weights, 2, r, threads).LogitsForAll(grid, shape)
    let one = run 1
    let bits (a: float32[]) = a |> Array.map BitConverter.SingleToInt32Bits

    for threads in [ 1; 2; 4 ] do
        Assert.Equal<int[]>(bits one, bits (run threads))

[<Theory>]
[<InlineData(1, 1)>]
[<InlineData(1, 6)>]
[<InlineData(5, 1)>]
[<InlineData(4, 4)>]
[<InlineData(7, 9)>]
let ``step tables equal the encoder's, from grids filled only up to each step`` (h: int, w: int) =
    use prior = randomPrior 4L
    let weights = CheckerboardLevelWeights.ofPrior prior
    let shape = { Height = h; Width = w }

    for seed in 0..3 do
        for level in [ 2; 3 ] do
            let r = randomFloats seed (shape.Count * d)
            let problems = GridModelCheck.check (CheckerboardLevelGridModel(weights, level, r, 2)) shape (randomGrid seed shape (weights.CodesOf level))
            Assert.Empty problems

[<Fact>]
let ``levels round-trip through their streams and decode the same with any thread count`` () =
    use prior = randomPrior 5L
    use network = tinyNetwork 6L
    let weights = CheckerboardLevelWeights.ofPrior prior
    let tables = LevelContext.ofNetwork network

    for shape in [ { Height = 6; Width = 8 }; { Height = 11; Width = 3 }; { Height = 1; Width = 1 } ] do
        let grids = [| randomGrid 1 shape 32; randomGrid 2 shape 16; randomGrid 3 shape 12 |]
        let streams = LevelCoding.encodeLevels weights tables 2 shape grids CancellationToken.None
        Assert.Equal(2, streams.Length)
        let again = LevelCoding.encodeLevels weights tables 1 shape grids CancellationToken.None
        Assert.Equal<byte[]>(streams[0], again[0])
        Assert.Equal<byte[]>(streams[1], again[1])

        for threads in [ 1; 4 ] do
            let decoded = LevelCoding.decodeLevels weights tables threads shape grids[0] (streams |> Array.map ReadOnlyMemory) CancellationToken.None
            Assert.Equal<int[][]>(grids, decoded)

        // Level 2 alone, then level 3 given it.
        let level2 = LevelCoding.decodeLevel weights tables 1 shape grids[..0] (ReadOnlyMemory streams[0]) CancellationToken.None
        Assert.Equal<int[]>(grids[1], level2)

[<Fact>]
let ``a prior that does not fit the VQ-VAE is refused`` () =
    use prior = randomPrior 7L
    use network = tinyNetwork 8L
    let weights = CheckerboardLevelWeights.ofPrior prior
    let tables = LevelContext.ofNetwork network
    let other = { tables with Codes = [| 32; 16; 13 |] }
    Assert.Throws<ArgumentException>(fun () -> LevelCoding.check weights other 3) |> ignore
    Assert.Throws<ArgumentException>(fun () -> LevelCoding.check weights tables 4) |> ignore
    LevelCoding.check weights tables 3

/// spec/prior.md §6.5: the example level prior (D = 4, C_a = 4, E = 2, C_h = 4, one further level of K = 8),
/// every stored value v(n, s) = ((7 n + 13 s) mod 17 − 8) / 10 (binary32 division) for element n of tensor number s.
module SpecExample =
    let value (s: int) (n: int) = float32 ((7 * n + 13 * s) % 17 - 8) / 10.0f
    let tensor (s: int) (length: int) = Array.init length (value s)
    let latentDim, ca, e, ch, k = 4, 4, 2, 4, 8

    let weights =
        CheckerboardLevelWeights.create
            latentDim
            (tensor 0 (ca * latentDim))
            (tensor 1 ca)
            (tensor 2 ca)
            (tensor 3 (ch * ca * 9))
            (tensor 4 ch)
            (tensor 5 (ch * e * 9))
            (tensor 6 (ch * ch))
            (tensor 7 ch)
            [| tensor 8 (k * e) |]
            [| tensor 9 (k * ch) |]
            [| tensor 10 k |]

    let shape = { Height = 3; Width = 4 }
    /// R at position p, channel c: ((5 p + 3 c) mod 11 − 5) / 7 (binary32 division).
    let reconstruction = Array.init (shape.Count * latentDim) (fun i -> float32 (((5 * (i / latentDim) + 3 * (i % latentDim)) % 11) - 5) / 7.0f)
    /// The level's codes: (3 p + 1) mod 8.
    let grid = Array.init shape.Count (fun p -> (3 * p + 1) % k)
    let model () = CheckerboardLevelGridModel(weights, 2, reconstruction, 1)

[<Fact>]
let ``the example of spec/prior.md §6.5 gives the printed logits, tables and stream`` () =
    let m = SpecExample.model ()
    let logits = m.LogitsForAll(SpecExample.grid, SpecExample.shape)
    let tables = m.TablesForAll(SpecExample.grid, SpecExample.shape)

    let expected =
        [
            0, "4021B78E BE9F6A2E C024FF97 401BABF9 BECFC6E0 BEC46AFC 3F234E56 BF0011C8", [| 0; 28718; 30400; 30575; 56705; 58235; 59800; 64144; 65536 |]
            1, "3F1143F2 BED8AF92 C00D87D0 3F0D8092 BEE03652 3FF156AA BF94BB02 BEE7BD12", [| 0; 9284; 12732; 13310; 22459; 25857; 60540; 62188; 65536 |]
            6, "BEAC2DA4 3E25BDE0 BD03A83A BDAEAA48 3ED36202 3E601C17 BFC4637A 3F29F28B", [| 0; 5388; 14254; 21557; 28482; 39877; 49263; 50890; 65536 |]
        ]

    for p, bits, cumulative in expected do
        let ours = logits[p * 8 .. p * 8 + 7] |> Array.map (fun x -> (BitConverter.SingleToInt32Bits x).ToString("X8"))
        Assert.Equal(bits, String.Join(" ", ours))
        Assert.Equal<int[]>(cumulative, tables.Row(p).ToArray())

    // The decoder's two steps give the same tables, and the stream is the one printed.
    Assert.Empty(GridModelCheck.check (SpecExample.model ()) SpecExample.shape SpecExample.grid)
    let stream = GridCoding.encodeGrid (SpecExample.model ()) SpecExample.shape SpecExample.grid CancellationToken.None
    Assert.Equal("75F4A41B61FF37", Convert.ToHexString stream)
    Assert.Equal<int[]>(SpecExample.grid, GridCoding.decodeGrid (SpecExample.model ()) SpecExample.shape (ReadOnlyMemory stream) CancellationToken.None)
