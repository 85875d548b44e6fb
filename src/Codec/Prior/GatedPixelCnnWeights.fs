namespace VqVae.Codec.Prior

open TorchSharp
open VqVae.Codec.Models.Priors

/// One gated layer as dense layers over gathered taps (spec/prior.md §4). Tap order: vertical row-major over
/// dy = -p .. 0, dx = -p .. p; horizontal dx = -p .. 0 (dx = 0 left out in the first layer, type A).
type GatedLayerWeights =
    {
        /// V: (p+1) k taps x C inputs -> 2C.
        Vertical: DenseLayer
        /// H: horizontal taps x C inputs -> 2C.
        Horizontal: DenseLayer
        /// W_vh: 2C -> 2C, applied to the vertical pre-activation of the row above.
        VerticalToHorizontal: DenseLayer
        /// W_o: C -> C after the horizontal gate.
        Output: DenseLayer
        /// Horizontal tap offsets dx, in input order.
        HorizontalTaps: int[]
        /// Whether the layer adds its horizontal input (all layers but the first).
        Residual: bool
    }

/// The gated PixelCNN as plain arrays: what the deterministic evaluator needs and nothing else.
type GatedPixelCnnWeights =
    {
        /// K, the alphabet.
        Codes: int
        /// C, the channels of every stack.
        Channels: int
        /// p = kernel / 2.
        Pad: int
        /// Code embedding, K x C row-major.
        Embedding: float32[]
        /// The gated layers, the first of type A.
        Layers: GatedLayerWeights[]
        /// Head: ReLU, C -> H.
        HeadHidden: DenseLayer
        /// Head: ReLU, H -> K logits.
        HeadLogits: DenseLayer
    }

    /// Vertical tap offsets (dy, dx) in input order.
    member this.VerticalTaps =
        let p = this.Pad
        [| for dy in -p .. 0 do
               for dx in -p .. p -> struct (dy, dx) |]

/// Reads the weights of a trained GatedPixelCnnPrior into GatedPixelCnnWeights.
[<RequireQualifiedAccess>]
module GatedPixelCnnWeights =
    let private values (t: torch.Tensor) = t.detach().cpu().contiguous().data<float32>().ToArray()

    let private present (t: torch.Tensor | null) : torch.Tensor =
        match t with
        | null -> invalidOp "a convolution of the prior has no weight or bias"
        | t -> t

    /// A convolution weight [out, in, kh, kw] (and bias) as a dense layer over the given taps:
    /// input index = tap * in + channel, tap (row, col) in kernel coordinates.
    let private denseOfConv (weight: torch.Tensor | null) (bias: torch.Tensor | null) (taps: struct (int * int)[]) =
        let weight, bias = present weight, present bias
        let shape = weight.shape
        let outC, inC, kh, kw = int shape[0], int shape[1], int shape[2], int shape[3]
        let w = values weight
        let dense = Array.zeroCreate<float32> (taps.Length * inC * outC)

        taps
        |> Array.iteri (fun t (struct (r, s)) ->
            for c in 0 .. inC - 1 do
                for o in 0 .. outC - 1 do
                    dense[(t * inC + c) * outC + o] <- w[((o * inC + c) * kh + r) * kw + s])

        DenseLayer(taps.Length * inC, outC, dense, values bias)

    let private pointwise (conv: Modules.Conv2d) = denseOfConv conv.weight conv.bias [| struct (0, 0) |]

    /// Extracts the weights of `prior`.
    let ofPrior (prior: GatedPixelCnnPrior) : GatedPixelCnnWeights =
        let a = prior.Architecture
        let p = a.KernelSize / 2

        let layers =
            prior.Layers
            |> Seq.map (fun layer ->
                let verticalTaps = [| for r in 0 .. p do for s in 0 .. 2 * p -> struct (r, s) |]
                let horizontalOffsets = [| for dx in -p .. (if layer.IsFirst then -1 else 0) -> dx |]
                let horizontalTaps = horizontalOffsets |> Array.map (fun dx -> struct (0, dx + p))

                {
                    Vertical = denseOfConv layer.Vertical.weight layer.Vertical.bias verticalTaps
                    Horizontal = denseOfConv layer.Horizontal.weight layer.Horizontal.bias horizontalTaps
                    VerticalToHorizontal = pointwise layer.VerticalToHorizontal
                    Output = pointwise layer.Output
                    HorizontalTaps = horizontalOffsets
                    Residual = not layer.IsFirst
                })
            |> Array.ofSeq

        {
            Codes = a.CodebookSize
            Channels = a.Channels
            Pad = p
            Embedding = values (present prior.Embedding.weight)
            Layers = layers
            HeadHidden = pointwise prior.Head.Hidden
            HeadLogits = pointwise prior.Head.Logits
        }
