namespace VqVae.Codec.Prior

open System
open VqVae.Codec.Entropy

/// The gated PixelCNN as a conditional model for the grid coder (spec §8, spec/prior.md). Stateful: one instance
/// per grid coded. Steps follow Tiling.steps; the decoder asks for step s after the symbols of steps
/// before s were decoded, and the model absorbs them (embedding, and the vertical stack of every row
/// that they complete) before evaluating step s. The encoder's TablesForAll evaluates each tile a row
/// at a time with the same arithmetic.
[<Sealed>]
type GatedPixelCnnGridModel(weights: GatedPixelCnnWeights, tileSide: int, threads: int) =
    inherit GridModel()

    let mutable state: (GridShape * Tile[] * GatedPixelCnnTile[]) option = None
    let mutable nextStep = 0

    let newTiles (shape: GridShape) =
        let tiles = Tiling.tiles tileSide shape.Height shape.Width
        tiles, tiles |> Array.map (fun t -> GatedPixelCnnTile(weights, t.Height, t.Width))

    let tablesOf (logits: float32[]) = FrequencyTable.ofLogitsBatch weights.Codes (ReadOnlyMemory logits)

    /// The weights evaluated.
    member _.Weights = weights

    /// Side of the tiles (0: the whole grid is one tile).
    member _.TileSide = tileSide

    override _.Alphabet = weights.Codes

    override _.Steps shape = Tiling.steps tileSide shape.Height shape.Width

    override _.TablesForStep(grid, shape, step) =
        if step = 0 then
            let tiles, evaluators = newTiles shape
            state <- Some(shape, tiles, evaluators)
            nextStep <- 0

        match state with
        | Some(s, tiles, evaluators) when s = shape && step = nextStep ->
            if step > 0 then
                // Absorb the symbols of the previous step; finish the rows they complete.
                let t = step - 1
                let finished = ResizeArray()

                for k in 0 .. tiles.Length - 1 do
                    let tile = tiles[k]

                    if t < tile.Height * tile.Width then
                        evaluators[k].SetCode(t, grid[Tiling.gridPosition shape.Width tile t])

                        if t % tile.Width = tile.Width - 1 then
                            finished.Add(struct (evaluators[k], t / tile.Width))

                GatedPixelCnnEvaluator.completeRows threads (finished.ToArray())

            let positions =
                [| for k in 0 .. tiles.Length - 1 do
                       let tile = tiles[k]

                       if step < tile.Height * tile.Width then
                           { Tile = evaluators[k]; Row = step / tile.Width; Column = step % tile.Width } |]

            let logits = Array.zeroCreate<float32> (positions.Length * weights.Codes)
            GatedPixelCnnEvaluator.logitsAt threads positions logits
            nextStep <- step + 1
            tablesOf logits
        | _ -> invalidOp $"the gated PixelCNN model must be asked for steps in order from 0 (asked for {step}, expected {nextStep})"

    override this.TablesForAll(grid, shape) = tablesOf (this.LogitsForAll(grid, shape))

    /// The logits [Count x K] of every position, in flat grid order (for tests and analysis).
    member this.LogitsForAll(grid: int[], shape: GridShape) =
        let tiles, evaluators = newTiles shape
        let k = weights.Codes
        let logits = Array.zeroCreate<float32> (shape.Count * k)

        for n in 0 .. tiles.Length - 1 do
            let tile, evaluator = tiles[n], evaluators[n]

            for t in 0 .. tile.Height * tile.Width - 1 do
                evaluator.SetCode(t, grid[Tiling.gridPosition shape.Width tile t])

            let rowLogits = Array.zeroCreate<float32> (tile.Width * k)

            for i in 0 .. tile.Height - 1 do
                GatedPixelCnnEvaluator.logitsAt threads (Array.init tile.Width (fun j -> { Tile = evaluator; Row = i; Column = j })) rowLogits

                for j in 0 .. tile.Width - 1 do
                    Array.Copy(rowLogits, j * k, logits, ((tile.Top + i) * shape.Width + tile.Left + j) * k, k)

                GatedPixelCnnEvaluator.completeRows threads [| struct (evaluator, i) |]

        logits
