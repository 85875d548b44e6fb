namespace VqVae.Codec.Prior

open System
open System.Buffers
open System.Threading.Tasks
open VqVae.Codec.Entropy

/// The positions of the two passes of a further level (spec/prior.md §6.3).
[<RequireQualifiedAccess>]
module Checkerboard =
    /// Whether (row, column) is an anchor, coded in pass 1: (column + row) even.
    let inline isAnchor (row: int) (column: int) = (row + column) &&& 1 = 0

    /// The steps: anchors in raster order, then the other positions in raster order.
    let steps (shape: GridShape) : int[][] =
        let all = Array.init shape.Count id
        let anchors, others = all |> Array.partition (fun p -> isAnchor (p / shape.Width) (p % shape.Width))
        [| anchors; others |]

/// Evaluates the checkerboard level prior exactly as spec/prior.md §6 prescribes: every value is a dense
/// layer (Dense.apply, fixed-order binary32 sums), ReLU or a binary32 addition, and each position's
/// logits depend only on its own gathered input vector, so any split of the positions into chunks or
/// threads, and any set of positions asked for at once, gives the same bits.
[<RequireQualifiedAccess>]
module CheckerboardLevelEvaluator =
    [<Literal>]
    let private MinChunk = 4

    let private rent (n: int) = ArrayPool<float32>.Shared.Rent n
    let private give (a: float32[]) = ArrayPool<float32>.Shared.Return a

    let private parallelChunks (threads: int) (count: int) (body: int -> int -> unit) =
        let threads = max 1 threads
        let size = ((count + threads - 1) / threads + MinChunk - 1) / MinChunk * MinChunk
        let chunks = (count + size - 1) / max 1 size

        if threads <= 1 || chunks <= 1 then
            body 0 count
        else
            Parallel.For(0, chunks, ParallelOptions(MaxDegreeOfParallelism = threads), fun k -> body (k * size) (min count ((k + 1) * size)))
            |> ignore

    /// The context map a of level `level` (Count x C_a, position-major) from the reconstruction so far
    /// (Count x D, position-major): a = R W + (b + λ_l) at every position.
    let context (w: CheckerboardLevelWeights) (level: int) (threads: int) (shape: GridShape) (reconstruction: float32[]) : float32[] =
        w.CodesOf level |> ignore
        let d, ca = w.LatentDim, w.ContextChannels

        if reconstruction.Length <> shape.Count * d then
            invalidArg (nameof reconstruction) $"{reconstruction.Length} values for {shape.Count} positions of {d}"

        let a = Array.zeroCreate<float32> (shape.Count * ca)
        let layer = w.Context[level - 2]

        parallelChunks threads shape.Count (fun first last ->
            Dense.apply layer (ReadOnlySpan(reconstruction, first * d, (last - first) * d)) (last - first) (Span(a, first * ca, (last - first) * ca)))

        a

    /// The logits (positions.Length x K_l) of level `level` at flat `positions`, from the context map and the
    /// level's codes in `grid`. The input vector of a position: the 9 context taps (zeros outside the grid),
    /// then the 4 cross taps of the own-code map, which is E_l[code] at an anchor inside the grid when the
    /// position is not an anchor, and zeros otherwise (an anchor's four neighbours are not anchors): so the
    /// codes read are exactly the anchor neighbours of non-anchor positions.
    let logitsAt (w: CheckerboardLevelWeights) (level: int) (threads: int) (shape: GridShape) (context: float32[]) (grid: int[]) (positions: int[]) : float32[] =
        let k = w.CodesOf level
        let ca, e, ch = w.ContextChannels, w.CodeChannels, w.HiddenChannels
        let inputs = w.Mix.Inputs
        let embedding = w.Embeddings[level - 2]
        let head = w.Heads[level - 2]

        if context.Length <> shape.Count * ca then invalidArg (nameof context) "the context map does not fit the grid"

        let logits = Array.zeroCreate<float32> (positions.Length * k)

        parallelChunks threads positions.Length (fun first last ->
            let m = last - first
            let x = rent (m * inputs)
            let h1 = rent (m * ch)
            let h2 = rent (m * ch)

            try
                Array.Clear(x, 0, m * inputs)

                for r in 0 .. m - 1 do
                    let p = positions[first + r]

                    if uint p >= uint shape.Count then invalidArg (nameof positions) $"position {p} outside the grid"

                    let i, j = p / shape.Width, p % shape.Width
                    let row = r * inputs

                    for t in 0 .. 8 do
                        let struct (dy, dx) = CheckerboardLevelWeights.contextTaps[t]
                        let y, xx = i + dy, j + dx

                        if y >= 0 && xx >= 0 && y < shape.Height && xx < shape.Width then
                            Array.Copy(context, (y * shape.Width + xx) * ca, x, row + t * ca, ca)

                    if not (Checkerboard.isAnchor i j) then
                        for u in 0 .. 3 do
                            let struct (dy, dx) = CheckerboardLevelWeights.codeTaps[u]
                            let y, xx = i + dy, j + dx

                            if y >= 0 && xx >= 0 && y < shape.Height && xx < shape.Width then
                                let c = grid[y * shape.Width + xx]

                                if uint c >= uint k then invalidArg (nameof grid) $"code {c} outside the level's alphabet of {k}"

                                Array.Copy(embedding, c * e, x, row + 9 * ca + u * e, e)

                Dense.apply w.Mix (ReadOnlySpan(x, 0, m * inputs)) m (Span(h1, 0, m * ch))

                for q in 0 .. m * ch - 1 do
                    h1[q] <- Activations.relu h1[q]

                Dense.apply w.Hidden (ReadOnlySpan(h1, 0, m * ch)) m (Span(h2, 0, m * ch))

                for q in 0 .. m * ch - 1 do
                    h2[q] <- Activations.relu h2[q] + h1[q]

                Dense.apply head (ReadOnlySpan(h2, 0, m * ch)) m (Span(logits, first * k, m * k))
            finally
                give x
                give h1
                give h2)

        logits

/// The checkerboard level prior as a conditional model for the grid coder: level `level`'s codes given the
/// reconstruction so far (Count x D, position-major; LevelContext.before). Two steps: the anchors, then the
/// rest (Checkerboard.steps). Its context map is computed once per grid shape.
[<Sealed>]
type CheckerboardLevelGridModel(weights: CheckerboardLevelWeights, level: int, reconstruction: float32[], threads: int) =
    inherit GridModel()

    let k = weights.CodesOf level
    let mutable context: (GridShape * float32[]) option = None

    let contextFor (shape: GridShape) =
        match context with
        | Some(s, a) when s = shape -> a
        | _ ->
            let a = CheckerboardLevelEvaluator.context weights level threads shape reconstruction
            context <- Some(shape, a)
            a

    /// The level coded.
    member _.Level = level

    /// The logits of `positions` (for tests and analysis).
    member _.LogitsAt(grid: int[], shape: GridShape, positions: int[]) =
        CheckerboardLevelEvaluator.logitsAt weights level threads shape (contextFor shape) grid positions

    /// The logits [Count x K] of every position, in flat grid order.
    member this.LogitsForAll(grid: int[], shape: GridShape) = this.LogitsAt(grid, shape, Array.init shape.Count id)

    override _.Alphabet = k

    override _.Steps shape = Checkerboard.steps shape

    override this.TablesForStep(grid, shape, step) =
        let positions = (Checkerboard.steps shape)[step]
        FrequencyTable.ofLogitsBatch k (ReadOnlyMemory(this.LogitsAt(grid, shape, positions)))

    override this.TablesForAll(grid, shape) =
        FrequencyTable.ofLogitsBatch k (ReadOnlyMemory(this.LogitsForAll(grid, shape)))
