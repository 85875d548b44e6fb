module VqVae.Codec.Codec.Tests.DeterministicMathTests

open System
open Xunit
open VqVae.Codec.Entropy

[<Fact>]
let ``exp of 0 is exactly 1`` () =
    Assert.Equal(1.0, DeterministicMath.expNonPositive 0.0)

[<Fact>]
let ``exp is within 2 ulp-scale of Math.Exp over the range used by softmax`` () =
    for i in 0..100_000 do
        let x = -708.0 * float i / 100_000.0
        let expected = Math.Exp x
        let actual = DeterministicMath.expNonPositive x
        Assert.True(abs (actual - expected) <= 4e-16 * expected, $"exp({x}) = {actual}, Math.Exp = {expected}")

[<Fact>]
let ``exp below the cutoff is 0 and rejects positive or NaN arguments`` () =
    Assert.Equal(0.0, DeterministicMath.expNonPositive -708.5)
    Assert.Equal(0.0, DeterministicMath.expNonPositive Double.NegativeInfinity)
    Assert.Throws<ArgumentException>(fun () -> DeterministicMath.expNonPositive 0.5 |> ignore) |> ignore
    Assert.Throws<ArgumentException>(fun () -> DeterministicMath.expNonPositive nan |> ignore) |> ignore

[<Fact>]
let ``exp gives pinned bits`` () =
    // Pinned: any change to the constants, the polynomial or the evaluation order changes these.
    let pinned =
        [ -1.0, 0x3FD78B56362CEF38L; -0.5, 0x3FE368B2FC6F960AL; -10.0, 0x3F07CD79B5647C9BL; -700.0, 0x00D14F2B0FB9307FL ]

    for x, expectedBits in pinned do
        Assert.Equal(expectedBits, BitConverter.DoubleToInt64Bits(DeterministicMath.expNonPositive x))

[<Fact>]
let ``the vectorised exp equals the scalar exp bit for bit, across the cutoff and in the tail`` () =
    let r = Random 11
    let xs = Array.init 1003 (fun i -> if i % 50 = 0 then -708.5 - float i elif i % 7 = 0 then -0.0 else -(r.NextDouble() * 800.0))
    let ys = Array.zeroCreate<float> xs.Length
    DeterministicMath.expNonPositiveInto (ReadOnlySpan xs) (Span ys)
    for i in 0 .. xs.Length - 1 do
        Assert.Equal(BitConverter.DoubleToInt64Bits(DeterministicMath.expNonPositive xs[i]), BitConverter.DoubleToInt64Bits ys[i])
