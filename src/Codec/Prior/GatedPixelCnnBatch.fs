namespace VqVae.Codec.Prior

open System
open System.Threading
open System.Threading.Tasks
open VqVae.Codec.Entropy

/// An array reused while the size asked for stays the same: the logits and tables of a prior's steps (or rows)
/// mostly have one size, and a fresh array for each put megabytes a step on the large-object heap, which
/// grew to about half a gigabyte of garbage on a 4000 x 3000 photo (issue 13).
[<Sealed>]
type internal Reused<'T>() =
    let mutable buffer: 'T[] = [||]

    /// An array of exactly n elements, with whatever the last user left in it.
    member _.Get(n: int) =
        if buffer.Length <> n then
            buffer <- Array.zeroCreate n

        buffer

/// The gated PixelCNN over several code grids of one shape at once: every tile of every grid is
/// evaluated in the same calls, so the dense kernel sees many rows (thumbnails: one 8 x 8 grid each).
/// Each value is computed exactly as for one grid alone (spec/prior.md §4), so the files are the same
/// as those coded one by one.
[<RequireQualifiedAccess>]
module GatedPixelCnnBatch =
    /// Fresh evaluation states for the tiles of `count` grids of `shape`.
    let internal states (weights: GatedPixelCnnWeights) (tileSide: int) (shape: GridShape) (count: int) =
        let tiles = Tiling.tiles tileSide shape.Height shape.Width
        tiles, Array.init count (fun _ -> tiles |> Array.map (fun t -> GatedPixelCnnTile(weights, t.Height, t.Width)))

    /// Before step t: records the codes of step t - 1 of each grid and completes the rows they finish.
    let internal absorb (threads: int) (tiles: Tile[]) (states: GatedPixelCnnTile[][]) (grids: int[][]) (gridWidth: int) (t: int) =
        if t > 0 then
            let finished = ResizeArray()

            for g in 0 .. states.Length - 1 do
                for n in 0 .. tiles.Length - 1 do
                    let tile = tiles[n]

                    if t - 1 < tile.Height * tile.Width then
                        let code = grids[g].[Tiling.gridPosition gridWidth tile (t - 1)]
                        let state = states[g].[n]
                        state.SetCode(t - 1, code)

                        if (t - 1) % tile.Width = tile.Width - 1 then
                            finished.Add(struct (states[g][n], (t - 1) / tile.Width))

            GatedPixelCnnEvaluator.completeRows threads (finished.ToArray())

    /// The positions of step t: grid by grid, tiles in order (the order of Tiling.steps within a grid).
    let internal positionsOf (tiles: Tile[]) (states: GatedPixelCnnTile[][]) (t: int) =
        [| for g in 0 .. states.Length - 1 do
               for n in 0 .. tiles.Length - 1 do
                   if t < tiles[n].Height * tiles[n].Width then
                       { Tile = states[g][n]; Row = t / tiles[n].Width; Column = t % tiles[n].Width } |]

    /// Sets the codes of row i of a tile from its grid (the encoder knows them all, but a tile keeps only
    /// the rows it still reads: see GatedPixelCnnTile).
    let private setRow (state: GatedPixelCnnTile) (tile: Tile) (gridWidth: int) (grid: int[]) (i: int) =
        for j in 0 .. tile.Width - 1 do
            state.SetCode(i * tile.Width + j, grid[(tile.Top + i) * gridWidth + tile.Left + j])

    /// The logits [Count x K] of every position of each grid (flat grid order), all codes known.
    let logitsForAll (weights: GatedPixelCnnWeights) (tileSide: int) (threads: int) (shape: GridShape) (grids: int[][]) : float32[][] =
        let k = weights.Codes
        let tiles, perGrid = states weights tileSide shape grids.Length
        let logits = grids |> Array.map (fun _ -> Array.zeroCreate<float32> (shape.Count * k))
        let tallest = tiles |> Array.map (fun t -> t.Height) |> Array.max

        // Row i of every tile of every grid together: its codes, the horizontal stack, then the vertical stack.
        for i in 0 .. tallest - 1 do
            for g in 0 .. grids.Length - 1 do
                for n in 0 .. tiles.Length - 1 do
                    if i < tiles[n].Height then
                        setRow perGrid[g].[n] tiles[n] shape.Width grids[g] i

            let positions =
                [| for g in 0 .. grids.Length - 1 do
                       for n in 0 .. tiles.Length - 1 do
                           if i < tiles[n].Height then
                               for j in 0 .. tiles[n].Width - 1 -> struct (g, n, j) |]

            let rowLogits = Array.zeroCreate<float32> (positions.Length * k)

            GatedPixelCnnEvaluator.logitsAt
                threads
                (positions |> Array.map (fun (struct (g, n, j)) -> { Tile = perGrid[g][n]; Row = i; Column = j }))
                rowLogits

            positions
            |> Array.iteri (fun r (struct (g, n, j)) ->
                let p = (tiles[n].Top + i) * shape.Width + tiles[n].Left + j
                Array.Copy(rowLogits, r * k, logits[g], p * k, k))

            GatedPixelCnnEvaluator.completeRows
                threads
                [| for g in 0 .. grids.Length - 1 do
                       for n in 0 .. tiles.Length - 1 do
                           if i < tiles[n].Height then struct (perGrid[g][n], i) |]

        logits

    /// The (grid, tile) pairs of `count` grids in order, cut into groups of at most `maxCodes` codes (at
    /// least one tile a group).
    let private groups (tiles: Tile[]) (count: int) (maxCodes: int) =
        let result = ResizeArray<struct (int * int)[]>()
        let current = ResizeArray<struct (int * int)>()
        let mutable codes = 0

        for g in 0 .. count - 1 do
            for n in 0 .. tiles.Length - 1 do
                let size = tiles[n].Height * tiles[n].Width

                if current.Count > 0 && codes + size > maxCodes then
                    result.Add(current.ToArray())
                    current.Clear()
                    codes <- 0

                current.Add(struct (g, n))
                codes <- codes + size

        if current.Count > 0 then
            result.Add(current.ToArray())

        result.ToArray()

    /// The coding interval (start, frequency; spec §5.3) of every code of each grid (flat grid order), all
    /// codes known: what the range encoder needs, 8 bytes a code. Tiles are evaluated in groups of at most
    /// `maxCodes` codes (at least one tile), and each row's logits become intervals before the next row, so
    /// memory is bounded by the group, not by the grid (issue 13: logits and tables of a whole 4000 x 3000
    /// photo, 750,000 codes, took about 13 KB a code). Values do not depend on the grouping (spec/prior.md
    /// §4), so the files are those of logitsForAll's tables.
    let intervalsForAll (weights: GatedPixelCnnWeights) (tileSide: int) (threads: int) (maxCodes: int) (shape: GridShape) (grids: int[][]) : struct (int * int)[][] =
        let k = weights.Codes
        let tiles = Tiling.tiles tileSide shape.Height shape.Width
        let intervals = grids |> Array.map (fun _ -> Array.zeroCreate<struct (int * int)> shape.Count)
        let logitsBuffer, tablesBuffer = Reused<float32>(), Reused<int>()

        for group in groups tiles grids.Length maxCodes do
            let states =
                group
                |> Array.map (fun (struct (_, n)) ->
                    let tile = tiles[n]
                    GatedPixelCnnTile(weights, tile.Height, tile.Width))

            let tallest = states |> Array.map (fun s -> s.Height) |> Array.max

            // Row i of every tile of the group together: its codes, the horizontal stack, then the vertical stack.
            for i in 0 .. tallest - 1 do
                let members = [| for m in 0 .. group.Length - 1 do if i < states[m].Height then m |]

                for m in members do
                    let struct (g, n) = group[m]
                    setRow states[m] tiles[n] shape.Width grids[g] i

                let positions =
                    [| for m in members do
                           for j in 0 .. states[m].Width - 1 -> { Tile = states[m]; Row = i; Column = j } |]

                let logits = logitsBuffer.Get(positions.Length * k)
                GatedPixelCnnEvaluator.logitsAt threads positions logits
                let tables = FrequencyTable.ofLogitsBatchInto k (ReadOnlyMemory logits) (tablesBuffer.Get(positions.Length * (k + 1)))
                let mutable r = 0

                for m in members do
                    let struct (g, n) = group[m]

                    for j in 0 .. states[m].Width - 1 do
                        let p = (tiles[n].Top + i) * shape.Width + tiles[n].Left + j
                        let row = tables.Row r
                        let symbol = grids[g].[p]
                        intervals[g].[p] <- struct (row[symbol], row[symbol + 1] - row[symbol])
                        r <- r + 1

                GatedPixelCnnEvaluator.completeRows threads [| for m in members -> struct (states[m], i) |]

        intervals

    /// Decodes several payloads of grids of one shape in lockstep: step t of every grid in one
    /// evaluation, then each grid's range decoder reads its symbols. Raises VqzFormatException for a
    /// payload no encoder could have produced (as GridCoding.decodeGrid).
    let decodeGrids (weights: GatedPixelCnnWeights) (tileSide: int) (threads: int) (shape: GridShape) (payloads: ReadOnlyMemory<byte>[]) (cancel: CancellationToken) : int[][] =
        let k = weights.Codes
        let steps = Tiling.steps tileSide shape.Height shape.Width
        let tiles, perGrid = states weights tileSide shape payloads.Length
        let decoders = payloads |> Array.map (fun p -> RangeDecoder p)
        let grids = payloads |> Array.map (fun _ -> Array.zeroCreate<int> shape.Count)
        let logitsBuffer = Reused<float32>()
        let tablesBuffers = payloads |> Array.map (fun _ -> Reused<int>())

        for t in 0 .. steps.Length - 1 do
            cancel.ThrowIfCancellationRequested()
            absorb threads tiles perGrid grids shape.Width t
            let positions = positionsOf tiles perGrid t
            let logits = logitsBuffer.Get(positions.Length * k)
            GatedPixelCnnEvaluator.logitsAt threads positions logits
            let perStep = steps[t].Length

            // Each grid's tables and range decoder are its own: grids are decoded in parallel, and a bad
            // payload reports the error of the first bad grid, as a sequential loop would.
            let failures: exn option[] = Array.create payloads.Length None

            let decodeStep g =
                try
                    let tables =
                        FrequencyTable.ofLogitsBatchInto k (ReadOnlyMemory(logits, g * perStep * k, perStep * k)) (tablesBuffers[g].Get(perStep * (k + 1)))

                    for j in 0 .. perStep - 1 do
                        grids[g][steps[t][j]] <- decoders[g].Decode(tables, j)
                with e ->
                    failures[g] <- Some e

            if threads > 1 && payloads.Length > 1 then
                Parallel.For(0, payloads.Length, ParallelOptions(MaxDegreeOfParallelism = threads), decodeStep) |> ignore
            else
                for g in 0 .. payloads.Length - 1 do
                    decodeStep g

            match failures |> Array.tryPick id with
            | Some e -> Runtime.ExceptionServices.ExceptionDispatchInfo.Throw e
            | None -> ()

        for d in decoders do
            d.Finish()

        grids
