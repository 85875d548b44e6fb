namespace VqVae.Codec.Prior

open System
open System.Numerics
open System.Runtime.InteropServices

/// A dense (fully connected) layer y = b + x W with W stored input-major: Weight[k * Outputs + o].
/// Every convolution of the prior is evaluated as one: the input vector gathers the taps in a fixed
/// order (spec/prior.md §3).
[<Sealed>]
type DenseLayer(inputs: int, outputs: int, weight: float32[], bias: float32[]) =
    do
        if inputs < 1 || outputs < 1 then invalidArg (nameof inputs) "a dense layer needs inputs and outputs"
        if weight.Length <> inputs * outputs then invalidArg (nameof weight) $"{weight.Length} weights for {inputs} x {outputs}"
        if bias.Length <> outputs then invalidArg (nameof bias) $"{bias.Length} biases for {outputs} outputs"

    /// Length of the input vector.
    member _.Inputs = inputs
    /// Length of the output vector.
    member _.Outputs = outputs
    /// W, input-major.
    member _.Weight = weight
    /// b.
    member _.Bias = bias

/// The one arithmetic kernel of the prior evaluator (spec/prior.md §3). For every row m and output o:
///
///   acc = b[o]; for k = 0 .. K-1 in increasing order: if x[m, k] <> 0 then acc = acc + x[m, k] * W[k, o]
///
/// in IEEE-754 binary32, one rounded product and one rounded sum per term (never a fused multiply-add).
/// Rows and outputs are independent, so the result of an element does not depend on how many rows are
/// computed together, on the SIMD width, or on the thread: this is what makes encoder and decoder agree.
[<RequireQualifiedAccess>]
module Dense =
    let private lanes = Vector<float32>.Count

    /// Scalar path for outputs [from, outputs): the same per-element sequence as the vector path.
    let private scalarTail (layer: DenseLayer) (x: ReadOnlySpan<float32>) (y: Span<float32>) (from: int) =
        let w = layer.Weight
        let n = layer.Outputs

        for o in from .. n - 1 do
            let mutable acc = layer.Bias[o]

            for k in 0 .. layer.Inputs - 1 do
                let xk = x[k]

                if xk <> 0.0f then
                    acc <- acc + xk * w[k * n + o]

            y[o] <- acc

    /// One row: y = b + x W.
    let applyRow (layer: DenseLayer) (x: ReadOnlySpan<float32>) (y: Span<float32>) =
        let n = layer.Outputs
        let inputs = layer.Inputs
        let w = layer.Weight
        let wv = MemoryMarshal.Cast<float32, Vector<float32>>(ReadOnlySpan w)
        let bv = MemoryMarshal.Cast<float32, Vector<float32>>(ReadOnlySpan layer.Bias)
        let yv = MemoryMarshal.Cast<float32, Vector<float32>>(y.Slice(0, n))
        let vectors = n / lanes
        let stride = n / lanes
        // Blocks of four vectors of outputs keep four accumulators in registers.
        let mutable v = 0

        if n % lanes = 0 then
            while v + 4 <= vectors do
                let mutable a0 = bv[v]
                let mutable a1 = bv[v + 1]
                let mutable a2 = bv[v + 2]
                let mutable a3 = bv[v + 3]

                for k in 0 .. inputs - 1 do
                    let xk = x[k]

                    if xk <> 0.0f then
                        let s = Vector<float32>(xk)
                        let row = k * stride + v
                        a0 <- a0 + s * wv[row]
                        a1 <- a1 + s * wv[row + 1]
                        a2 <- a2 + s * wv[row + 2]
                        a3 <- a3 + s * wv[row + 3]

                yv[v] <- a0
                yv[v + 1] <- a1
                yv[v + 2] <- a2
                yv[v + 3] <- a3
                v <- v + 4

            while v < vectors do
                let mutable a0 = bv[v]

                for k in 0 .. inputs - 1 do
                    let xk = x[k]

                    if xk <> 0.0f then
                        a0 <- a0 + Vector<float32>(xk) * wv[k * stride + v]

                yv[v] <- a0
                v <- v + 1

            ()
        else
            scalarTail layer x y 0

    /// Rows [0, rows) of x (row-major, layer.Inputs wide) into y (layer.Outputs wide).
    let apply (layer: DenseLayer) (x: ReadOnlySpan<float32>) (rows: int) (y: Span<float32>) =
        if x.Length < rows * layer.Inputs || y.Length < rows * layer.Outputs then
            invalidArg (nameof x) "input or output too short"

        for m in 0 .. rows - 1 do
            applyRow layer (x.Slice(m * layer.Inputs, layer.Inputs)) (y.Slice(m * layer.Outputs, layer.Outputs))
