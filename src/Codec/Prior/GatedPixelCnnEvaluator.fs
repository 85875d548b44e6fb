namespace VqVae.Codec.Prior

open System
open System.Buffers
open System.Threading.Tasks

/// A position of a tile whose distribution is wanted.
[<Struct>]
type TilePosition = { Tile: GatedPixelCnnTile; Row: int; Column: int }

/// Evaluates the gated PixelCNN exactly as spec/prior.md §4 prescribes. Two entry points share every
/// arithmetic step: `logitsAt` (the horizontal stack and head at given positions) and `completeRows`
/// (the vertical stack of a finished row). The decoder calls them position by position; the encoder
/// calls them a whole row at a time; each output element is computed by the same sequence of binary32
/// operations either way, so both sides get bit-identical logits.
[<RequireQualifiedAccess>]
module GatedPixelCnnEvaluator =
    /// Fewest items per parallel chunk (the dense kernel computes four rows at a time).
    [<Literal>]
    let private MinChunk = 4

    let private rent (n: int) = ArrayPool<float32>.Shared.Rent n
    let private give (a: float32[]) = ArrayPool<float32>.Shared.Return a

    /// body first last over [0, count) in one chunk per thread (multiples of MinChunk items): each chunk
    /// amortises its scratch buffers and the weights it streams through the cache over as many items as
    /// it can. Which items share a chunk never changes a value (Dense.apply).
    let private parallelChunks (threads: int) (count: int) (body: int -> int -> unit) =
        let threads = max 1 threads
        let size = ((count + threads - 1) / threads + MinChunk - 1) / MinChunk * MinChunk
        let chunks = (count + size - 1) / max 1 size

        if threads <= 1 || chunks <= 1 then
            body 0 count
        else
            let options = ParallelOptions(MaxDegreeOfParallelism = threads)
            Parallel.For(0, chunks, options, fun k -> body (k * size) (min count ((k + 1) * size))) |> ignore

    /// Copies the C-vector at (i, j) of `map` (zeros outside the tile) into dst.
    let inline private copyAt (tile: GatedPixelCnnTile) (map: RowRing) (i: int) (j: int) (dst: Span<float32>) =
        let c = tile.Weights.Channels

        if i < 0 || j < 0 || i >= tile.Height || j >= tile.Width then
            dst.Slice(0, c).Clear()
        else
            ReadOnlySpan(map.Data, map.Offset(i, j), c).CopyTo dst

    /// The logits [count x K] at `positions` (all their earlier codes set). Layer by layer over all
    /// positions, chunks in parallel within a layer: a position's horizontal taps read the previous
    /// layer at its left neighbours, which may be other positions of the same call.
    let logitsAt (threads: int) (positions: TilePosition[]) (logits: float32[]) =
        if positions.Length > 0 then
            let w = positions[0].Tile.Weights
            let c, k, layers = w.Channels, w.Codes, w.Layers.Length

            for l in 0 .. layers - 1 do
                let layer = w.Layers[l]
                let taps = layer.HorizontalTaps
                let width = taps.Length * c

                parallelChunks threads positions.Length (fun first last ->
                    let m = last - first
                    let x = rent (m * width)
                    let pre = rent (m * 2 * c)
                    let gated = rent (m * c)
                    let out = rent (m * c)

                    try
                        for r in 0 .. m - 1 do
                            let q = positions[first + r]
                            let input = q.Tile.HorizontalInput l

                            for t in 0 .. taps.Length - 1 do
                                copyAt q.Tile input q.Row (q.Column + taps[t]) (Span(x, r * width + t * c, c))

                        Dense.apply layer.Horizontal (ReadOnlySpan(x, 0, m * width)) m (Span pre)

                        for r in 0 .. m - 1 do
                            let q = positions[first + r]
                            let v2h = q.Tile.VerticalToHorizontal l
                            let at = v2h.Offset(q.Row, q.Column)

                            for o in 0 .. 2 * c - 1 do
                                pre[r * 2 * c + o] <- pre[r * 2 * c + o] + v2h.Data[at + o]

                            Activations.gate (ReadOnlySpan(pre, r * 2 * c, 2 * c)) (Span(gated, r * c, c))

                        Dense.apply layer.Output (ReadOnlySpan(gated, 0, m * c)) m (Span out)

                        for r in 0 .. m - 1 do
                            let q = positions[first + r]
                            let target = q.Tile.HorizontalOutput l
                            let at = target.Offset(q.Row, q.Column)

                            if layer.Residual then
                                let input = q.Tile.HorizontalInput l
                                let from = input.Offset(q.Row, q.Column)

                                for o in 0 .. c - 1 do
                                    target.Data[at + o] <- out[r * c + o] + input.Data[from + o]
                            else
                                Array.Copy(out, r * c, target.Data, at, c)
                    finally
                        give x
                        give pre
                        give gated
                        give out)

            // Head: ReLU, 1x1, ReLU, 1x1 to K logits.
            parallelChunks threads positions.Length (fun first last ->
                let m = last - first
                let x = rent (m * c)
                let hc = w.HeadHidden.Outputs
                let hidden = rent (m * hc)

                try
                    for r in 0 .. m - 1 do
                        let q = positions[first + r]
                        let top = q.Tile.HorizontalOutput(layers - 1)
                        Activations.reluInto (ReadOnlySpan(top.Data, top.Offset(q.Row, q.Column), c)) (Span(x, r * c, c))

                    Dense.apply w.HeadHidden (ReadOnlySpan(x, 0, m * c)) m (Span hidden)

                    for i in 0 .. m * hc - 1 do
                        hidden[i] <- Activations.relu hidden[i]

                    Dense.apply w.HeadLogits (ReadOnlySpan(hidden, 0, m * hc)) m (Span(logits, first * k, m * k))
                finally
                    give x
                    give hidden)

    /// Runs the vertical stack over row `row` of each tile (every code of that row set): the vertical
    /// outputs of the row and, for the row below, the vertical-to-horizontal contributions.
    let completeRows (threads: int) (rows: struct (GatedPixelCnnTile * int)[]) =
        if rows.Length > 0 then
            let positions =
                [| for struct (tile, row) in rows do
                       for j in 0 .. tile.Width - 1 -> { Tile = tile; Row = row; Column = j } |]

            let w = positions[0].Tile.Weights
            let c, layers = w.Channels, w.Layers.Length
            let taps = w.VerticalTaps
            let width = taps.Length * c

            // Layer by layer over all positions: layer l of a row reads layer l-1 of the same row.
            for l in 0 .. layers - 1 do
                let layer = w.Layers[l]

                parallelChunks threads positions.Length (fun first last ->
                    let m = last - first
                    let x = rent (m * width)
                    let pre = rent (m * 2 * c)
                    let v2h = rent (m * 2 * c)

                    try
                        for r in 0 .. m - 1 do
                            let q = positions[first + r]
                            let input = q.Tile.VerticalInput l

                            for t in 0 .. taps.Length - 1 do
                                let struct (dy, dx) = taps[t]
                                copyAt q.Tile input (q.Row + dy) (q.Column + dx) (Span(x, r * width + t * c, c))

                        Dense.apply layer.Vertical (ReadOnlySpan(x, 0, m * width)) m (Span pre)
                        Dense.apply layer.VerticalToHorizontal (ReadOnlySpan(pre, 0, m * 2 * c)) m (Span v2h)

                        for r in 0 .. m - 1 do
                            let q = positions[first + r]
                            let output = q.Tile.VerticalOutput l
                            Activations.gate (ReadOnlySpan(pre, r * 2 * c, 2 * c)) (Span(output.Data, output.Offset(q.Row, q.Column), c))

                            if q.Row + 1 < q.Tile.Height then
                                let below = q.Tile.VerticalToHorizontal l
                                Array.Copy(v2h, r * 2 * c, below.Data, below.Offset(q.Row + 1, q.Column), 2 * c)
                    finally
                        give x
                        give pre
                        give v2h)
