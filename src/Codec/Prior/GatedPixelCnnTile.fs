namespace VqVae.Codec.Prior

open System

/// The evaluation state of the gated PixelCNN on one tile of the code grid (spec/prior.md §4): the embedded
/// codes known so far and, per layer, the horizontal outputs, the vertical outputs of finished rows, and
/// the vertical-to-horizontal contribution of the row above. Feature vectors are stored position-major
/// ((i * width + j) * channels + c).
[<Sealed>]
type GatedPixelCnnTile(weights: GatedPixelCnnWeights, height: int, width: int) =
    let c = weights.Channels
    let count = height * width
    let layers = weights.Layers.Length
    let embedded = Array.zeroCreate<float32> (count * c)
    let horizontal = Array.init layers (fun _ -> Array.zeroCreate<float32> (count * c))
    let vertical = Array.init layers (fun _ -> Array.zeroCreate<float32> (count * c))
    let verticalToHorizontal = Array.init layers (fun _ -> Array.zeroCreate<float32> (count * 2 * c))

    do
        // Row 0 has no row above: shift_down pads a zero row, so W_vh sees zeros and gives its bias.
        let zeros = Array.zeroCreate<float32> (2 * c)

        for l in 0 .. layers - 1 do
            for j in 0 .. width - 1 do
                Dense.applyRow weights.Layers[l].VerticalToHorizontal (ReadOnlySpan zeros) (Span(verticalToHorizontal[l], j * 2 * c, 2 * c))

    /// Rows of the tile.
    member _.Height = height
    /// Columns of the tile.
    member _.Width = width
    /// Positions of the tile.
    member _.Count = count
    /// The weights evaluated.
    member _.Weights = weights

    /// Records the code at raster position `position` of the tile.
    member _.SetCode(position: int, code: int) =
        Array.Copy(weights.Embedding, code * c, embedded, position * c, c)

    /// The horizontal-stack input of layer l: the embedding for the first layer, else the previous layer's output.
    member internal _.HorizontalInput(l: int) = if l = 0 then embedded else horizontal[l - 1]
    member internal _.HorizontalOutput(l: int) = horizontal[l]
    member internal _.VerticalInput(l: int) = if l = 0 then embedded else vertical[l - 1]
    member internal _.VerticalOutput(l: int) = vertical[l]
    member internal _.VerticalToHorizontal(l: int) = verticalToHorizontal[l]
