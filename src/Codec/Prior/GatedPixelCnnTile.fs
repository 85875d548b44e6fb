namespace VqVae.Codec.Prior

open System

/// A feature map of a tile kept for its last Rows rows only: row i lives in slot i mod Rows, position-major
/// within the slot ((slot * width + j) * channels + c).
[<Sealed>]
type internal RowRing(rows: int, width: int, channels: int) =
    let data = Array.zeroCreate<float32> (rows * width * channels)

    /// Rows kept.
    member _.Rows = rows
    /// The values.
    member _.Data = data
    /// Index of the first value of (i, j), i >= 0.
    member _.Offset(i: int, j: int) = ((i % rows) * width + j) * channels

/// The evaluation state of the gated PixelCNN on one tile of the code grid (spec/prior.md §4): the embedded
/// codes and, per layer, the horizontal outputs, the vertical outputs of finished rows, and the
/// vertical-to-horizontal contribution of the row above. Only the rows a later evaluation reads are kept
/// (issue 13: whole-tile maps took C x 4 x (1 + 4L) bytes a code, gigabytes for a 4000 x 3000 photo; these
/// take C x 4 x ((p + 1)(L + 1) + 3L) / H bytes a code for a tile of H rows of L layers): the vertical taps reach
/// p rows up, so embeddings and vertical outputs keep p + 1 rows; the horizontal taps stay in the row, and
/// W_vh's output is read by the row below only, so those keep one row. Codes must therefore be set row by
/// row: those of row i after row i - p - 1 was completed and before row i is evaluated.
[<Sealed>]
type GatedPixelCnnTile(weights: GatedPixelCnnWeights, height: int, width: int) =
    let c = weights.Channels
    let count = height * width
    let layers = weights.Layers.Length
    let vertical = weights.Pad + 1
    let embedded = RowRing(vertical, width, c)
    let horizontalOut = Array.init layers (fun _ -> RowRing(1, width, c))
    let verticalOut = Array.init layers (fun _ -> RowRing(vertical, width, c))
    let verticalToHorizontal = Array.init layers (fun _ -> RowRing(1, width, 2 * c))

    do
        // Row 0 has no row above: shift_down pads a zero row, so W_vh sees zeros and gives its bias.
        let zeros = Array.zeroCreate<float32> (2 * c)

        for l in 0 .. layers - 1 do
            let v2h = verticalToHorizontal[l]

            for j in 0 .. width - 1 do
                Dense.applyRow weights.Layers[l].VerticalToHorizontal (ReadOnlySpan zeros) (Span(v2h.Data, v2h.Offset(0, j), 2 * c))

    /// Rows of the tile.
    member _.Height = height
    /// Columns of the tile.
    member _.Width = width
    /// Positions of the tile.
    member _.Count = count
    /// The weights evaluated.
    member _.Weights = weights

    /// Records the code at raster position `position` of the tile (see the type's remark on order).
    member _.SetCode(position: int, code: int) =
        Array.Copy(weights.Embedding, code * c, embedded.Data, embedded.Offset(position / width, position % width), c)

    /// The horizontal-stack input of layer l: the embedding for the first layer, else the previous layer's output.
    member internal _.HorizontalInput(l: int) = if l = 0 then embedded else horizontalOut[l - 1]
    member internal _.HorizontalOutput(l: int) = horizontalOut[l]
    member internal _.VerticalInput(l: int) = if l = 0 then embedded else verticalOut[l - 1]
    member internal _.VerticalOutput(l: int) = verticalOut[l]
    member internal _.VerticalToHorizontal(l: int) = verticalToHorizontal[l]
