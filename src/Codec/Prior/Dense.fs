namespace VqVae.Codec.Prior

#nowarn "9" // native pointers: the kernel reads pinned arrays without bounds checks

open System
open System.Numerics
open System.Runtime.Intrinsics
open Microsoft.FSharp.NativeInterop

/// A dense (fully connected) layer y = b + x W with W stored input-major: Weight[k * Outputs + o].
/// Every convolution of the prior is evaluated as one: the input vector gathers the taps in a fixed
/// order (spec/prior.md §4).
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
///   acc = b[o]; for k = 0 .. K-1 in increasing order: acc = acc + x[m, k] * W[k, o]
///
/// in IEEE-754 binary32, one rounded product and one rounded sum per term (never a fused multiply-add).
/// Rows and outputs are independent: the blocking below (4 rows by 4 512-bit vectors of outputs where
/// the CPU has AVX-512, then 4 rows by 2 vectors of Vector<float32>, one SIMD lane per output) changes
/// which elements are computed together, never the operations on one element, so the result does not
/// depend on how many rows are computed together, on the SIMD width, or on the thread. That is what
/// makes encoder and decoder agree (and a machine with AVX-512 agree with one without).
[<RequireQualifiedAccess>]
module Dense =
    let private lanes = Vector<float32>.Count

    let inline private load (p: nativeptr<float32>) (i: int) = NativePtr.read (NativePtr.ofNativeInt<Vector<float32>> (NativePtr.toNativeInt (NativePtr.add p i)))

    let inline private store (p: nativeptr<float32>) (i: int) (v: Vector<float32>) =
        NativePtr.write (NativePtr.ofNativeInt<Vector<float32>> (NativePtr.toNativeInt (NativePtr.add p i))) v

    let inline private load16 (p: nativeptr<float32>) (i: int) = Vector512.Load(NativePtr.add p i)
    let inline private store16 (p: nativeptr<float32>) (i: int) (v: Vector512<float32>) = Vector512.Store(v, NativePtr.add p i)

    /// Outputs [o, o + 64) of four rows (x0..x3; fewer rows repeat the last, written only `block` times)
    /// with 16 512-bit accumulators: per k, 4 weight loads and 4 broadcasts for 256 products.
    let private block4x64 (x0: nativeptr<float32>) (x1: nativeptr<float32>) (x2: nativeptr<float32>) (x3: nativeptr<float32>) (wp: nativeptr<float32>) (bp: nativeptr<float32>) (yp: nativeptr<float32>) (inputs: int) (n: int) (o: int) (block: int) =
        let b0 = load16 bp o
        let b1 = load16 bp (o + 16)
        let b2 = load16 bp (o + 32)
        let b3 = load16 bp (o + 48)
        let mutable a00 = b0
        let mutable a01 = b1
        let mutable a02 = b2
        let mutable a03 = b3
        let mutable a10 = b0
        let mutable a11 = b1
        let mutable a12 = b2
        let mutable a13 = b3
        let mutable a20 = b0
        let mutable a21 = b1
        let mutable a22 = b2
        let mutable a23 = b3
        let mutable a30 = b0
        let mutable a31 = b1
        let mutable a32 = b2
        let mutable a33 = b3

        for k in 0 .. inputs - 1 do
            let wk = NativePtr.add wp (k * n + o)
            let w0 = load16 wk 0
            let w1 = load16 wk 16
            let w2 = load16 wk 32
            let w3 = load16 wk 48
            let s0 = Vector512.Create(NativePtr.get x0 k)
            a00 <- a00 + s0 * w0
            a01 <- a01 + s0 * w1
            a02 <- a02 + s0 * w2
            a03 <- a03 + s0 * w3
            let s1 = Vector512.Create(NativePtr.get x1 k)
            a10 <- a10 + s1 * w0
            a11 <- a11 + s1 * w1
            a12 <- a12 + s1 * w2
            a13 <- a13 + s1 * w3
            let s2 = Vector512.Create(NativePtr.get x2 k)
            a20 <- a20 + s2 * w0
            a21 <- a21 + s2 * w1
            a22 <- a22 + s2 * w2
            a23 <- a23 + s2 * w3
            let s3 = Vector512.Create(NativePtr.get x3 k)
            a30 <- a30 + s3 * w0
            a31 <- a31 + s3 * w1
            a32 <- a32 + s3 * w2
            a33 <- a33 + s3 * w3

        let row r = NativePtr.add yp (r * n + o)
        store16 (row 0) 0 a00
        store16 (row 0) 16 a01
        store16 (row 0) 32 a02
        store16 (row 0) 48 a03

        if block > 1 then
            store16 (row 1) 0 a10
            store16 (row 1) 16 a11
            store16 (row 1) 32 a12
            store16 (row 1) 48 a13

        if block > 2 then
            store16 (row 2) 0 a20
            store16 (row 2) 16 a21
            store16 (row 2) 32 a22
            store16 (row 2) 48 a23

        if block > 3 then
            store16 (row 3) 0 a30
            store16 (row 3) 16 a31
            store16 (row 3) 32 a32
            store16 (row 3) 48 a33

    /// Whether the 512-bit block runs (AVX-512 present and not disabled).
    let private wide = Vector512.IsHardwareAccelerated

    /// Scalar reference for one element (outputs that do not fill a vector).
    let inline private element (x: nativeptr<float32>) (w: nativeptr<float32>) (b: nativeptr<float32>) (inputs: int) (n: int) (o: int) =
        let mutable acc = NativePtr.get b o

        for k in 0 .. inputs - 1 do
            acc <- acc + NativePtr.get x k * NativePtr.get w (k * n + o)

        acc

    /// Rows [0, rows) of x (row-major, layer.Inputs wide) into y (layer.Outputs wide).
    let apply (layer: DenseLayer) (x: ReadOnlySpan<float32>) (rows: int) (y: Span<float32>) =
        let inputs, n = layer.Inputs, layer.Outputs

        if rows < 0 || x.Length < rows * inputs || y.Length < rows * n then
            invalidArg (nameof x) "input or output too short"

        let vectorOutputs = n / lanes * lanes
        use xp = fixed x
        use yp = fixed y
        use wp = fixed layer.Weight
        use bp = fixed layer.Bias
        let mutable m = 0

        while m < rows do
            let block = min 4 (rows - m)
            let x0 = NativePtr.add xp (m * inputs)
            let x1 = NativePtr.add xp ((m + min 1 (block - 1)) * inputs)
            let x2 = NativePtr.add xp ((m + min 2 (block - 1)) * inputs)
            let x3 = NativePtr.add xp ((m + min 3 (block - 1)) * inputs)
            let mutable o = 0

            if wide then
                while o + 64 <= n do
                    block4x64 x0 x1 x2 x3 wp bp (NativePtr.add yp (m * n)) inputs n o block
                    o <- o + 64

            // Two vectors of outputs for four rows at a time: 8 accumulators, 2 weight loads per k.
            while o + 2 * lanes <= vectorOutputs do
                let b0 = load bp o
                let b1 = load bp (o + lanes)
                let mutable a00 = b0
                let mutable a01 = b1
                let mutable a10 = b0
                let mutable a11 = b1
                let mutable a20 = b0
                let mutable a21 = b1
                let mutable a30 = b0
                let mutable a31 = b1

                for k in 0 .. inputs - 1 do
                    let wk = NativePtr.add wp (k * n + o)
                    let w0 = load wk 0
                    let w1 = load wk lanes
                    let s0 = Vector<float32>(NativePtr.get x0 k)
                    let s1 = Vector<float32>(NativePtr.get x1 k)
                    let s2 = Vector<float32>(NativePtr.get x2 k)
                    let s3 = Vector<float32>(NativePtr.get x3 k)
                    a00 <- a00 + s0 * w0
                    a01 <- a01 + s0 * w1
                    a10 <- a10 + s1 * w0
                    a11 <- a11 + s1 * w1
                    a20 <- a20 + s2 * w0
                    a21 <- a21 + s2 * w1
                    a30 <- a30 + s3 * w0
                    a31 <- a31 + s3 * w1

                let row r = NativePtr.add yp ((m + r) * n + o)
                store (row 0) 0 a00
                store (row 0) lanes a01

                if block > 1 then
                    store (row 1) 0 a10
                    store (row 1) lanes a11

                if block > 2 then
                    store (row 2) 0 a20
                    store (row 2) lanes a21

                if block > 3 then
                    store (row 3) 0 a30
                    store (row 3) lanes a31

                o <- o + 2 * lanes

            // A last single vector, then single outputs: the same sequence per element.
            while o + lanes <= vectorOutputs do
                for r in 0 .. block - 1 do
                    let xr = NativePtr.add xp ((m + r) * inputs)
                    let mutable a = load bp o

                    for k in 0 .. inputs - 1 do
                        a <- a + Vector<float32>(NativePtr.get xr k) * load (NativePtr.add wp (k * n)) o

                    store (NativePtr.add yp ((m + r) * n)) o a

                o <- o + lanes

            while o < n do
                for r in 0 .. block - 1 do
                    NativePtr.set yp ((m + r) * n + o) (element (NativePtr.add xp ((m + r) * inputs)) wp bp inputs n o)

                o <- o + 1

            m <- m + block

    /// One row: y = b + x W.
    let applyRow (layer: DenseLayer) (x: ReadOnlySpan<float32>) (y: Span<float32>) = apply layer x 1 y
