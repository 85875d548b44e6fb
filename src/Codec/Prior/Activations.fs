namespace VqVae.Codec.Prior

open System
open VqVae.Codec.Entropy

/// The prior's nonlinearities, deterministic on every machine (spec/prior.md §3): computed in binary64 from the
/// binary32 argument with DeterministicMath.expNonPositive (no libm), then rounded to binary32.
[<RequireQualifiedAccess>]
module Activations =
    /// max(x, 0); NaN never occurs (inputs are finite weights times finite activations).
    let inline relu (x: float32) = if x > 0.0f then x else 0.0f

    /// 1 / (1 + e^-x), evaluated through e^-|x| so the exponent is never positive.
    let sigmoid (x: float32) : float32 =
        let d = float x

        if d >= 0.0 then
            float32 (1.0 / (1.0 + DeterministicMath.expNonPositive -d))
        else
            let e = DeterministicMath.expNonPositive d
            float32 (e / (1.0 + e))

    /// (1 - e^-2|x|) / (1 + e^-2|x|) with the sign of x.
    let tanh (x: float32) : float32 =
        let d = float x
        let e = DeterministicMath.expNonPositive (-2.0 * Math.Abs d)
        let t = (1.0 - e) / (1.0 + e)
        float32 (if d < 0.0 then -t else t)

    /// The gated activation of the gated PixelCNN: y[c] = tanh(x[c]) * sigmoid(x[C + c]), c < C.
    let gate (x: ReadOnlySpan<float32>) (y: Span<float32>) =
        let c = y.Length

        for i in 0 .. c - 1 do
            y[i] <- tanh x[i] * sigmoid x[c + i]

    /// ReLU of every element, into y.
    let reluInto (x: ReadOnlySpan<float32>) (y: Span<float32>) =
        for i in 0 .. x.Length - 1 do
            y[i] <- relu x[i]
