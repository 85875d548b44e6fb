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

    let mutable state: (GridShape * Tile[] * GatedPixelCnnTile[][]) option = None
    let mutable nextStep = 0

    /// The weights evaluated.
    member _.Weights = weights

    /// Side of the tiles (0: the whole grid is one tile).
    member _.TileSide = tileSide

    override _.Alphabet = weights.Codes

    override _.Steps shape = Tiling.steps tileSide shape.Height shape.Width

    override _.TablesForStep(grid, shape, step) =
        if step = 0 then
            let tiles, states = GatedPixelCnnBatch.states weights tileSide shape 1
            state <- Some(shape, tiles, states)
            nextStep <- 0

        match state with
        | Some(s, tiles, states) when s = shape && step = nextStep ->
            GatedPixelCnnBatch.absorb threads tiles states [| grid |] shape.Width step
            let positions = GatedPixelCnnBatch.positionsOf tiles states step
            let logits = Array.zeroCreate<float32> (positions.Length * weights.Codes)
            GatedPixelCnnEvaluator.logitsAt threads positions logits
            nextStep <- step + 1
            FrequencyTable.ofLogitsBatch weights.Codes (ReadOnlyMemory logits)
        | _ -> invalidOp $"the gated PixelCNN model must be asked for steps in order from 0 (asked for {step}, expected {nextStep})"

    override this.TablesForAll(grid, shape) =
        FrequencyTable.ofLogitsBatch weights.Codes (ReadOnlyMemory(this.LogitsForAll(grid, shape)))

    /// The logits [Count x K] of every position, in flat grid order (for tests and analysis).
    member _.LogitsForAll(grid: int[], shape: GridShape) =
        (GatedPixelCnnBatch.logitsForAll weights tileSide threads shape [| grid |])[0]
