module VqVae.Codec.Codec.Tests.GatedPixelCnnEvaluatorTests

open System
open System.Threading
open Xunit
open TorchSharp
open VqVae.Codec.Entropy
open VqVae.Codec.Prior
open VqVae.Codec.Models.Priors

/// A small gated PixelCNN with random (not trained) weights large enough to make every dependence visible.
let private randomPrior (seed: int64) (channels: int) (layers: int) =
    torch.random.manual_seed seed |> ignore
    let a = PriorArchitecture(Kind = PriorKind.GatedPixelCnn, CodebookSize = 32, Channels = channels, Layers = layers, HeadChannels = 24)
    let prior = new GatedPixelCnnPrior(a)
    prior.eval ()
    use _ = torch.no_grad ()

    for p in prior.parameters () do
        p.mul_ (torch.tensor 3.0f) |> ignore

    prior

let private randomGrid (seed: int) (shape: GridShape) k =
    let r = Random seed
    Array.init shape.Count (fun _ -> r.Next k)

[<Fact>]
let ``the evaluator computes the network's logits (a whole grid, one tile)`` () =
    use prior = randomPrior 1L 16 3
    let weights = GatedPixelCnnWeights.ofPrior prior
    let shape = { Height = 6; Width = 7 }
    let grid = randomGrid 2 shape 32
    let model = GatedPixelCnnGridModel(weights, 0, 1)
    let ours = model.LogitsForAll(grid, shape)
    use codes = torch.tensor(grid |> Array.map int64, ReadOnlySpan [| 1L; 6L; 7L |])
    use _ = torch.no_grad ()
    use reference = prior.forward(codes).permute(0, 2, 3, 1).contiguous ()
    let theirs = reference.data<float32>().ToArray()
    let worst = Array.map2 (fun (a: float32) b -> abs (a - b) / (1.0f + abs b)) ours theirs |> Array.max
    Assert.True(worst < 1e-4f, $"largest relative difference {worst}")

[<Theory>]
[<InlineData(0, 5, 8)>]
[<InlineData(4, 9, 7)>]
[<InlineData(3, 8, 8)>]
[<InlineData(0, 4, 21)>] // rows wider than one parallel chunk: positions of a row depend on their left neighbours
[<InlineData(16, 5, 40)>]
let ``step-by-step tables equal the encoder's at every position, from grids filled only up to each step`` (side: int, h: int, w: int) =
    use prior = randomPrior 3L 8 2
    let weights = GatedPixelCnnWeights.ofPrior prior
    let shape = { Height = h; Width = w }

    for seed in 0..4 do
        let problems = GridModelCheck.check (GatedPixelCnnGridModel(weights, side, 2)) shape (randomGrid seed shape 32)
        Assert.Empty problems

[<Fact>]
let ``logits are bit-identical with one and with two threads`` () =
    use prior = randomPrior 4L 16 2
    let weights = GatedPixelCnnWeights.ofPrior prior
    let shape = { Height = 12; Width = 10 }
    let grid = randomGrid 7 shape 32
    let one = GatedPixelCnnGridModel(weights, 4, 1).LogitsForAll(grid, shape)
    let two = GatedPixelCnnGridModel(weights, 4, 2).LogitsForAll(grid, shape)
    Assert.Equal<float32[]>(one, two)
    Assert.True(Array.forall2 (fun (a: float32) b -> BitConverter.SingleToInt32Bits a = BitConverter.SingleToInt32Bits b) one two)

[<Fact>]
let ``a grid coded with the gated PixelCNN decodes to the same symbols`` () =
    use prior = randomPrior 5L 8 2
    let weights = GatedPixelCnnWeights.ofPrior prior
    let shape = { Height = 9; Width = 11 }

    for side in [ 0; 4 ] do
        let grid = randomGrid side shape 32
        let payload = GridCoding.encodeGrid (GatedPixelCnnGridModel(weights, side, 2)) shape grid CancellationToken.None
        let decoded = GridCoding.decodeGrid (GatedPixelCnnGridModel(weights, side, 1)) shape (ReadOnlyMemory payload) CancellationToken.None
        Assert.Equal<int[]>(grid, decoded)

[<Fact>]
let ``tiles cover the grid once, in raster order of tiles, cut at the edges`` () =
    let tiles = Tiling.tiles 4 9 6
    Assert.Equal(6, tiles.Length)
    Assert.Equal({ Top = 8; Left = 4; Height = 1; Width = 2 }, tiles[5])
    let steps = Tiling.steps 4 9 6
    Assert.Equal(16, steps.Length)
    Assert.Equal<int[]>([| 0; 4; 24; 28; 48; 52 |], steps[0])
    Assert.Equal(54, steps |> Array.sumBy Array.length)
    Assert.Equal<int[]>([| 0 .. 53 |], steps |> Array.concat |> Array.sort)

[<Fact>]
let ``activations: the vector path equals the scalar formula in every lane, and both are close to the true functions`` () =
    let r = Random 3
    let c = 37 // not a multiple of the vector width: the tail runs the scalar formula
    let values = Array.init (2 * c * 200) (fun i -> if i % 97 = 0 then -0.0f elif i % 89 = 0 then -100.0f else float32 (r.NextDouble() * 24.0 - 12.0))

    for row in 0 .. 199 do
        let x = ReadOnlySpan(values, row * 2 * c, 2 * c)
        let y = Array.zeroCreate<float32> c
        Activations.gate x (Span y)

        for i in 0 .. c - 1 do
            let scalar = Activations.tanh x[i] * Activations.sigmoid x[c + i]
            Assert.Equal(BitConverter.SingleToInt32Bits scalar, BitConverter.SingleToInt32Bits y[i])
            let exact = Math.Tanh(float x[i]) / (1.0 + Math.Exp(-(float x[c + i])))
            Assert.True(abs (float y[i] - exact) < 1e-6, $"gate({x[i]}, {x[c + i]}) = {y[i]}, true value {exact}")

[<Fact>]
let ``the dense kernel computes every element as the scalar sum in input order, for every block and tail`` () =
    // 91 outputs = one 64-wide block (AVX-512 path, where present) + two 8-wide vectors + 3 scalars;
    // 1 .. 9 rows = full and partial blocks of four rows.
    let r = Random 5
    let inputs, outputs = 37, 91
    let weight = Array.init (inputs * outputs) (fun _ -> float32 (r.NextDouble() * 2.0 - 1.0))
    let bias = Array.init outputs (fun _ -> float32 (r.NextDouble() - 0.5))
    let layer = DenseLayer(inputs, outputs, weight, bias)

    for rows in 1..9 do
        let x = Array.init (rows * inputs) (fun _ -> float32 (r.NextDouble() * 4.0 - 2.0))
        let y = Array.zeroCreate<float32> (rows * outputs)
        Dense.apply layer (ReadOnlySpan x) rows (Span y)

        for m in 0 .. rows - 1 do
            for o in 0 .. outputs - 1 do
                let mutable acc = bias[o]

                for k in 0 .. inputs - 1 do
                    let product = x[m * inputs + k] * weight[k * outputs + o]
                    acc <- acc + product

                Assert.Equal(BitConverter.SingleToInt32Bits acc, BitConverter.SingleToInt32Bits y[m * outputs + o])

[<Fact>]
let ``grids are coded in batches bounded by codes: 256 thumbnails, one photo, and the same files either way`` () =
    Assert.Equal(256, VqVae.Codec.Pipeline.PriorCoding.gridsPerBatch { Height = 8; Width = 8 })
    Assert.Equal(1, VqVae.Codec.Pipeline.PriorCoding.gridsPerBatch { Height = 81; Width = 121 })
    Assert.Equal(2, VqVae.Codec.Pipeline.PriorCoding.gridsPerBatch { Height = 64; Width = 100 })
    use prior = randomPrior 6L 8 2
    let weights = GatedPixelCnnWeights.ofPrior prior
    let shape = { Height = 64; Width = 100 } // two grids per batch: three grids make two batches
    let grids = Array.init 3 (fun seed -> randomGrid (10 + seed) shape 32)
    let together = VqVae.Codec.Pipeline.PriorCoding.encodeGrids prior (Some weights) 16 2 shape grids CancellationToken.None
    let alone = grids |> Array.map (fun g -> (VqVae.Codec.Pipeline.PriorCoding.encodeGrids prior (Some weights) 16 2 shape [| g |] CancellationToken.None)[0])
    Assert.Equal<byte[][]>(alone, together)
    let decoded = VqVae.Codec.Pipeline.PriorCoding.decodeGrids prior (Some weights) 16 2 shape (together |> Array.map ReadOnlyMemory) CancellationToken.None
    Assert.Equal<int[][]>(grids, decoded)
