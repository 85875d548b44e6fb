module VqVae.Codec.Codec.Tests.GridCodingTests

open System
open System.Threading
open FsCheck.Xunit
open Xunit
open VqVae.Codec.Entropy
open VqVae.Codec.Format
open VqVae.Codec.Codec.Tests.TestData

/// A two-step checkerboard model: the "black" squares first with one table, then each "white" square
/// with a table from the sum of its black neighbours (known after step 0), mixed with adversarial logits.
type CheckerboardModel(k: int, seed: int) =
    inherit GridModel()

    let logits = Array.init 16 (fun i -> adversarialLogits (Random(seed + i)) k)

    let positions (shape: GridShape) colour =
        [| for p in 0 .. shape.Count - 1 do
               if (p / shape.Width + p % shape.Width) % 2 = colour then p |]

    let context (grid: int[]) (shape: GridShape) p =
        let y, x = p / shape.Width, p % shape.Width

        [ y - 1, x; y + 1, x; y, x - 1; y, x + 1 ]
        |> List.sumBy (fun (y, x) -> if y >= 0 && x >= 0 && y < shape.Height && x < shape.Width then grid[y * shape.Width + x] else 0)

    override _.Alphabet = k
    override _.Steps shape = [| positions shape 0; positions shape 1 |]

    override _.TablesForStep(grid, shape, step) =
        if step = 0 then
            FrequencyTable.ofLogits logits[0]
        else
            let rows = positions shape 1 |> Array.map (fun p -> logits[1 + context grid shape p % 15])
            FrequencyTable.ofLogitsBatch k (ReadOnlyMemory(Array.concat rows))

/// A broken model: its step-1 tables read positions of step 1 itself.
type PeekingModel() =
    inherit GridModel()
    override _.Alphabet = 8
    override _.Steps shape = [| [| 0 |]; Array.init (shape.Count - 1) ((+) 1) |]

    override _.TablesForStep(grid, shape, step) =
        if step = 0 then
            FrequencyTable.uniform 8
        else
            let p = Array.init 8 (fun s -> if s = grid[shape.Count - 1] then 10.0 else 1.0)
            FrequencyTable.ofProbabilities p

let private roundTrip (model: GridModel) (shape: GridShape) (grid: int[]) =
    let payload = GridCoding.encodeGrid model shape grid CancellationToken.None
    GridCoding.decodeGrid model shape (ReadOnlyMemory payload) CancellationToken.None

[<Property(MaxTest = 100)>]
let ``random grids round-trip with the uniform model`` (seed: int) (h: byte) (w: byte) =
    let shape = { Height = 1 + int h % 40; Width = 1 + int w % 40 }
    let rng = Random seed
    let grid = Array.init shape.Count (fun _ -> rng.Next 512)
    Assert.Equal<int[]>(grid, roundTrip (GridModels.uniform 512) shape grid)

[<Property(MaxTest = 100)>]
let ``random grids round-trip with unigram models of adversarial histograms`` (seed: int) (h: byte) (w: byte) =
    let shape = { Height = 1 + int h % 30; Width = 1 + int w % 30 }
    let rng = Random seed
    let counts = adversarialProbabilities rng 300 |> Array.map (fun p -> int64 (p * 1e6))
    let counts = if Array.sum counts = 0L then Array.create 300 1L else counts
    let grid = Array.init shape.Count (fun _ -> rng.Next 300)
    Assert.Equal<int[]>(grid, roundTrip (GridModels.unigram counts) shape grid)

[<Property(MaxTest = 60)>]
let ``random grids round-trip with a two-step context model`` (seed: int) (h: byte) (w: byte) =
    let shape = { Height = 1 + int h % 24; Width = 1 + int w % 24 }
    let model = CheckerboardModel(64, seed)
    let rng = Random seed
    let grid = Array.init shape.Count (fun _ -> rng.Next 64)
    Assert.Empty(GridModelCheck.check model shape grid)
    Assert.Equal<int[]>(grid, roundTrip model shape grid)

[<Fact>]
let ``the model check finds a model that reads the symbols of its own step`` () =
    let shape = { Height = 4; Width = 4 }
    let grid = Array.init 16 (fun i -> i % 8)
    Assert.NotEmpty(GridModelCheck.check (PeekingModel()) shape grid)
    Assert.Throws<InvalidOperationException>(fun () -> GridModelCheck.assertConsistent (PeekingModel()) shape grid) |> ignore

[<Fact>]
let ``a cancelled token stops encoding and decoding`` () =
    let shape = { Height = 8; Width = 8 }
    let model = GridModels.uniform 16
    let grid = Array.zeroCreate 64
    use cts = new CancellationTokenSource()
    cts.Cancel()
    Assert.ThrowsAny<OperationCanceledException>(fun () -> GridCoding.encodeGrid model shape grid cts.Token |> ignore) |> ignore
    let payload = GridCoding.encodeGrid model shape grid CancellationToken.None

    Assert.ThrowsAny<OperationCanceledException>(fun () ->
        GridCoding.decodeGrid model shape (ReadOnlyMemory payload) cts.Token |> ignore)
    |> ignore

[<Fact>]
let ``symbols outside the alphabet are rejected when encoding`` () =
    let shape = { Height = 1; Width = 2 }
    Assert.Throws<ArgumentException>(fun () -> GridCoding.encodeGrid (GridModels.uniform 4) shape [| 0; 4 |] CancellationToken.None |> ignore)
    |> ignore

[<Fact>]
let ``bytes after the last symbol are a format error`` () =
    let shape = { Height = 4; Width = 4 }
    let model = GridModels.uniform 512
    let payload = GridCoding.encodeGrid model shape (Array.init 16 id) CancellationToken.None
    let longer = Array.append payload (Array.create 8 0x55uy)

    let e =
        Assert.Throws<VqzFormatException>(fun () -> GridCoding.decodeGrid model shape (ReadOnlyMemory longer) CancellationToken.None |> ignore)

    Assert.Equal("payload", e.Path)

[<Fact>]
let ``mutated payloads decode or fail with a format error only`` () =
    let shape = { Height = 16; Width = 16 }
    let model = CheckerboardModel(64, 3)
    let rng = Random 9
    let grid = Array.init shape.Count (fun _ -> rng.Next 64)
    let payload = GridCoding.encodeGrid model shape grid CancellationToken.None
    for _ in 1..1500 do
        let m = Array.copy payload
        m[rng.Next m.Length] <- byte (rng.Next 256)
        let cut = if rng.Next 4 = 0 then rng.Next(m.Length + 1) else m.Length

        try
            GridCoding.decodeGrid model shape (ReadOnlyMemory(m, 0, cut)) CancellationToken.None |> ignore
        with :? VqzFormatException ->
            ()

/// A broken model whose steps miss the last position.
type IncompleteModel() =
    inherit GridModel()
    override _.Alphabet = 4
    override _.Steps shape = [| Array.init (shape.Count - 1) id |]
    override _.TablesForStep(_, _, _) = FrequencyTable.uniform 4

[<Fact>]
let ``steps that miss a position are rejected, not coded`` () =
    let shape = { Height = 2; Width = 2 }
    let model = IncompleteModel()
    Assert.Throws<InvalidOperationException>(fun () -> model.TablesForAll(Array.zeroCreate 4, shape) |> ignore) |> ignore
    Assert.Throws<InvalidOperationException>(fun () -> GridCoding.encodeGrid model shape (Array.zeroCreate 4) CancellationToken.None |> ignore) |> ignore
    Assert.NotEmpty(GridModelCheck.check model shape (Array.zeroCreate 4))

[<Fact>]
let ``a 1 x 1 grid with an empty second step round-trips`` () =
    let shape = { Height = 1; Width = 1 }
    let model = CheckerboardModel(64, 1)
    Assert.Empty(GridModelCheck.check model shape [| 17 |])
    Assert.Equal<int[]>([| 17 |], roundTrip model shape [| 17 |])
