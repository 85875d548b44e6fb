namespace VqVae.Codec.Entropy

open System

/// Functions computed with IEEE-754 binary64 +, -, *, / and floor only, in a fixed order, so that
/// their results have the same bits on every machine, OS and CPU (spec §6.1). Math.Exp is not used:
/// libm implementations differ in the last bit across platforms.
[<RequireQualifiedAccess>]
module DeterministicMath =
    let private bits (b: int64) = BitConverter.Int64BitsToDouble b

    /// 1 / ln 2.
    let private invLn2 = bits 0x3FF71547652B82FEL
    /// ln 2 rounded to 32 significant bits, so that k * ln2Hi is exact for |k| < 2^20.
    let private ln2Hi = bits 0x3FE62E42FEE00000L
    /// ln 2 - ln2Hi.
    let private ln2Lo = bits 0x3DEA39EF35793C76L

    /// c[k] = 1 / k!, k = 0 .. 12, each the double nearest to the exact value (spec §6.1, table E).
    let private c =
        [|
            bits 0x3FF0000000000000L
            bits 0x3FF0000000000000L
            bits 0x3FE0000000000000L
            bits 0x3FC5555555555555L
            bits 0x3FA5555555555555L
            bits 0x3F81111111111111L
            bits 0x3F56C16C16C16C17L
            bits 0x3F2A01A01A01A01AL
            bits 0x3EFA01A01A01A01AL
            bits 0x3EC71DE3A556C734L
            bits 0x3E927E4FB7789F5CL
            bits 0x3E5AE64567F544E4L
            bits 0x3E21EED8EFF8D898L
        |]

    let private c0 = c[0]
    let private c1 = c[1]
    let private c2 = c[2]
    let private c3 = c[3]
    let private c4 = c[4]
    let private c5 = c[5]
    let private c6 = c[6]
    let private c7 = c[7]
    let private c8 = c[8]
    let private c9 = c[9]
    let private c10 = c[10]
    let private c11 = c[11]
    let private c12 = c[12]

    /// Below this argument, exp is defined as 0 (exp(-708) is about 3e-308, near the smallest normal).
    [<Literal>]
    let ExpCutoff = -708.0

    /// e^x for x <= 0, deterministic (spec §6.1): x < -708 gives 0; otherwise k = floor(x / ln2 + 1/2),
    /// r = (x - k ln2Hi) - k ln2Lo, a degree-12 Taylor polynomial in r by Horner's rule, times 2^k.
    let expNonPositive (x: float) : float =
        if Double.IsNaN x || x > 0.0 then
            invalidArg (nameof x) $"expNonPositive needs x <= 0, not {x}"

        if x < ExpCutoff then
            0.0
        else
            let k = Math.Floor(x * invLn2 + 0.5)
            let r = (x - k * ln2Hi) - k * ln2Lo
            // Horner's rule written out: the same operations in the same order as a loop from c[12] down.
            let p = c12 * r + c11
            let p = p * r + c10
            let p = p * r + c9
            let p = p * r + c8
            let p = p * r + c7
            let p = p * r + c6
            let p = p * r + c5
            let p = p * r + c4
            let p = p * r + c3
            let p = p * r + c2
            let p = p * r + c1
            let p = p * r + c0
            p * BitConverter.Int64BitsToDouble((int64 k + 1023L) <<< 52)

    /// expNonPositive of every x (each <= 0) into y: the same operations in every SIMD lane as the
    /// scalar function, so the results are bit-identical to it whatever the vector width.
    let expNonPositiveInto (x: ReadOnlySpan<float>) (y: Span<float>) =
        let lanes = System.Numerics.Vector<float>.Count
        let n = x.Length
        let mutable i = 0

        for j in 0 .. n - 1 do
            if Double.IsNaN x[j] || x[j] > 0.0 then
                invalidArg (nameof x) $"expNonPositive needs x <= 0, not {x[j]}"

        if n >= lanes then
            let xs = System.Runtime.InteropServices.MemoryMarshal.Cast<float, System.Numerics.Vector<float>>(x)
            let ys = System.Runtime.InteropServices.MemoryMarshal.Cast<float, System.Numerics.Vector<float>>(y)
            let v (c: float) = System.Numerics.Vector<float>(c)

            for j in 0 .. xs.Length - 1 do
                let xv = xs[j]
                let k = System.Numerics.Vector.Floor(xv * v invLn2 + v 0.5)
                let r = (xv - k * v ln2Hi) - k * v ln2Lo
                let p = v c12 * r + v c11
                let p = p * r + v c10
                let p = p * r + v c9
                let p = p * r + v c8
                let p = p * r + v c7
                let p = p * r + v c6
                let p = p * r + v c5
                let p = p * r + v c4
                let p = p * r + v c3
                let p = p * r + v c2
                let p = p * r + v c1
                let p = p * r + v c0
                let scale =
                    System.Numerics.Vector.AsVectorDouble(
                        System.Numerics.Vector.ShiftLeft(System.Numerics.Vector.ConvertToInt64 k + System.Numerics.Vector<int64>(1023L), 52)
                    )

                ys[j] <- System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.LessThan(xv, v ExpCutoff), System.Numerics.Vector<float>.Zero, p * scale)

            i <- xs.Length * lanes

        while i < n do
            y[i] <- expNonPositive x[i]
            i <- i + 1
