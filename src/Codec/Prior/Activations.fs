namespace VqVae.Codec.Prior

open System
open System.Numerics
open System.Runtime.InteropServices

/// The prior's nonlinearities, deterministic on every machine (spec/prior.md §3): IEEE-754 binary32
/// +, -, *, / and floor only, in a fixed order, no library function. The same formula runs in every
/// SIMD lane and in the scalar tail, so results do not depend on the vector width.
[<RequireQualifiedAccess>]
module Activations =
    let inline private f (bits: uint32) = BitConverter.UInt32BitsToSingle bits

    let private log2e = f 0x3FB8AA3Bu      // 1.44269504
    let private ln2Hi = f 0x3F318000u      // 0.693359375: few mantissa bits, so k * ln2Hi is exact for |k| <= 2^9
    let private ln2Lo = f 0xB95E8083u      // -2.12194440e-4 = ln 2 - ln2Hi
    let private p0 = f 0x39506967u         // 1.9875691500e-4   (Cephes expf)
    let private p1 = f 0x3AB743CEu         // 1.3981999507e-3
    let private p2 = f 0x3C088908u         // 8.3334519073e-3
    let private p3 = f 0x3D2AA9C1u         // 4.1665795894e-2
    let private p4 = f 0x3E2AAAAAu         // 1.6666665459e-1
    let private p5 = f 0x3F000000u         // 5.0000001201e-1 rounds to 0.5
    /// Below this, e^x is taken as 0 (e^-87 is near the smallest normal binary32).
    let private cutoff = -87.0f

    /// e^x for x <= 0 in binary32: k = floor(x log2e + 1/2), r = (x - k ln2Hi) - k ln2Lo,
    /// p = ((((p0 r + p1) r + p2) r + p3) r + p4) r + p5, e = (p r) r + r + 1, times 2^k; 0 below -87.
    let expNonPositive (x: float32) : float32 =
        if x < cutoff then
            0.0f
        else
            let k = MathF.Floor(x * log2e + 0.5f)
            let r = (x - k * ln2Hi) - k * ln2Lo
            let p = ((((p0 * r + p1) * r + p2) * r + p3) * r + p4) * r + p5
            let e = (p * r) * r + r + 1.0f
            e * BitConverter.Int32BitsToSingle((int k + 127) <<< 23)

    /// The same as expNonPositive in every lane.
    let private expVector (x: Vector<float32>) : Vector<float32> =
        let k = Vector.Floor(x * Vector<float32>(log2e) + Vector<float32>(0.5f))
        let r = (x - k * Vector<float32>(ln2Hi)) - k * Vector<float32>(ln2Lo)
        let p = ((((Vector<float32>(p0) * r + Vector<float32>(p1)) * r + Vector<float32>(p2)) * r + Vector<float32>(p3)) * r + Vector<float32>(p4)) * r + Vector<float32>(p5)
        let e = (p * r) * r + r + Vector<float32>.One
        let scale = Vector.AsVectorSingle(Vector.ShiftLeft(Vector.ConvertToInt32 k + Vector<int>(127), 23))
        // Lanes below the cutoff give 0 (their k would make a meaningless exponent).
        Vector.ConditionalSelect(Vector.LessThan(x, Vector<float32>(cutoff)), Vector<float32>.Zero, e * scale)

    /// max(x, 0).
    let inline relu (x: float32) = if x > 0.0f then x else 0.0f

    /// sigmoid(x) = 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) for x < 0, with e = expNonPositive.
    let sigmoid (x: float32) : float32 =
        let e = expNonPositive (-(abs x))
        if x >= 0.0f then 1.0f / (1.0f + e) else e / (1.0f + e)

    /// tanh(x) = s (1 - e) / (1 + e), e = expNonPositive(-2 |x|), s the sign of x.
    let tanh (x: float32) : float32 =
        let e = expNonPositive (-2.0f * abs x)
        let t = (1.0f - e) / (1.0f + e)
        if x < 0.0f then -t else t

    let private lanes = Vector<float32>.Count

    /// The gated activation of the gated PixelCNN: y[c] = tanh(x[c]) * sigmoid(x[C + c]), c < C.
    let gate (x: ReadOnlySpan<float32>) (y: Span<float32>) =
        let c = y.Length
        let mutable i = 0

        if c >= lanes then
            let a = MemoryMarshal.Cast<float32, Vector<float32>>(x.Slice(0, c))
            let b = MemoryMarshal.Cast<float32, Vector<float32>>(x.Slice(c, c))
            let out = MemoryMarshal.Cast<float32, Vector<float32>>(y)

            for v in 0 .. c / lanes - 1 do
                let xa = a[v]
                let ea = expVector (Vector<float32>(-2.0f) * Vector.Abs xa)
                let t = (Vector<float32>.One - ea) / (Vector<float32>.One + ea)
                let tanhA = Vector.ConditionalSelect(Vector.LessThan(xa, Vector<float32>.Zero), -t, t)
                let xb = b[v]
                let eb = expVector (-(Vector.Abs xb))
                let sigmoidB =
                    Vector.ConditionalSelect(Vector.GreaterThanOrEqual(xb, Vector<float32>.Zero), Vector<float32>.One / (Vector<float32>.One + eb), eb / (Vector<float32>.One + eb))

                out[v] <- tanhA * sigmoidB

            i <- c / lanes * lanes

        while i < c do
            y[i] <- tanh x[i] * sigmoid x[c + i]
            i <- i + 1

    /// ReLU of every element, into y.
    let reluInto (x: ReadOnlySpan<float32>) (y: Span<float32>) =
        for i in 0 .. x.Length - 1 do
            y[i] <- relu x[i]
