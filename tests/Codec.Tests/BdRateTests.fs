module VqVae.Codec.Codec.Tests.BdRateTests

open System
open Xunit
open VqVae.Codec.Evaluation

let private curve (points: (float * float) list) = points |> List.map (fun (r, q) -> { Rate = r; Quality = q })

/// A JPEG-like curve: rate grows faster than linearly with PSNR.
let private anchor = curve [ (0.25, 24.0); (0.5, 27.5); (1.0, 31.0); (2.0, 35.5); (4.0, 41.0) ]
let private scaled (f: float) (points: RdPoint list) = points |> List.map (fun p -> { p with Rate = p.Rate * f })

let private percent (r: BdRateResult) =
    match r with
    | BdRateResult.Percent(p, _, _) -> p
    | BdRateResult.Undefined reason -> failwith $"undefined: {reason}"

let private near (expected: float) (actual: float) = Assert.True(abs (expected - actual) < 1e-9, $"expected {expected:R}, got {actual:R}")

let private methods = [ BdMethod.Pchip; BdMethod.CubicPolynomial ]

[<Fact>]
let ``a curve against itself is 0 percent, against half its rate -50 percent, against twice its rate +100 percent`` () =
    for m in methods do
        near 0.0 (percent (BdRate.compute m 0.5 ("a", anchor) ("a", anchor)))
        near -50.0 (percent (BdRate.compute m 0.5 ("a", anchor) ("half", scaled 0.5 anchor)))
        near 100.0 (percent (BdRate.compute m 0.5 ("a", anchor) ("double", scaled 2.0 anchor)))

[<Fact>]
let ``hand-checked: ln R = 0.1 Q against ln R = 0.2 Q - 2 on [20, 40] differ by 1 on average: e - 1`` () =
    for m in methods do
        let line a b = [ 20.0..5.0..40.0 ] |> List.map (fun q -> { Rate = exp (a * q + b); Quality = q })

        match BdRate.compute m 0.5 ("a", line 0.1 0.0) ("t", line 0.2 -2.0) with
        | BdRateResult.Percent(p, lo, hi) ->
            near (100.0 * (Math.E - 1.0)) p
            Assert.Equal((20.0, 40.0), (lo, hi))
        | BdRateResult.Undefined r -> failwith r
        // Partial overlap: the test curve from 30 to 50 dB; on [30, 40] the mean of 0.1 Q - 2 is 1.5.
        let shifted = [ 30.0..5.0..50.0 ] |> List.map (fun q -> { Rate = exp (0.2 * q - 2.0); Quality = q })

        match BdRate.compute m 0.5 ("a", line 0.1 0.0) ("t", shifted) with
        | BdRateResult.Percent(p, lo, hi) ->
            near (100.0 * (exp 1.5 - 1.0)) p
            Assert.Equal((30.0, 40.0), (lo, hi))
        | BdRateResult.Undefined r -> failwith r

[<Fact>]
let ``the piecewise cubic works from 2 points; the cubic polynomial needs 4 and says so`` () =
    let three = curve [ (0.3, 25.0); (0.6, 28.0); (1.2, 31.0) ]
    near -50.0 (percent (BdRate.compute BdMethod.Pchip 0.5 ("a", three) ("t", scaled 0.5 three)))
    near -50.0 (percent (BdRate.compute BdMethod.Pchip 0.5 ("a", anchor) ("t", scaled 0.5 (List.take 2 anchor))))

    match BdRate.compute BdMethod.CubicPolynomial 0.5 ("jpeg", anchor) ("vqz", three) with
    | BdRateResult.Undefined reason -> Assert.Equal("vqz has 3 points; the cubic polynomial fit needs at least 4", reason)
    | r -> failwith $"%A{r}"

    match BdRate.compute BdMethod.Pchip 0.5 ("jpeg", anchor) ("vqz", List.take 1 three) with
    | BdRateResult.Undefined reason -> Assert.Equal("vqz has 1 point; the piecewise cubic fit needs at least 2", reason)
    | r -> failwith $"%A{r}"

[<Fact>]
let ``no number without enough overlap, with repeated qualities or with a zero rate`` () =
    let high = curve [ (1.0, 42.0); (2.0, 45.0) ]
    let reason r =
        match r with
        | BdRateResult.Undefined reason -> reason
        | r -> failwith $"%A{r}"

    Assert.Contains("do not overlap", reason (BdRate.compute BdMethod.Pchip 0.5 ("jpeg", anchor) ("vqz", high)))
    let touching = curve [ (1.0, 40.8); (2.0, 45.0) ]
    Assert.Contains("overlap only from 40.80 to 41.00", reason (BdRate.compute BdMethod.Pchip 0.5 ("jpeg", anchor) ("vqz", touching)))
    Assert.Contains("same quality", reason (BdRate.compute BdMethod.Pchip 0.5 ("jpeg", anchor) ("vqz", curve [ (1.0, 30.0); (2.0, 30.0) ])))
    Assert.Contains("not positive", reason (BdRate.compute BdMethod.Pchip 0.5 ("jpeg", anchor) ("vqz", curve [ (0.0, 30.0); (2.0, 33.0) ])))

[<Fact>]
let ``Fritsch-Carlson slopes as scipy's PchipInterpolator: interior harmonic mean, three-point ends`` () =
    let d = BdRate.pchipSlopes [| 0.0; 1.0; 2.0 |] [| 0.0; 1.0; 3.0 |]
    near 0.5 d[0]
    near (4.0 / 3.0) d[1]
    near 2.5 d[2]
    // A local extremum gets slope 0; monotone data stays monotone.
    let e = BdRate.pchipSlopes [| 0.0; 1.0; 2.0; 3.0 |] [| 0.0; 2.0; 1.0; 1.5 |]
    near 0.0 e[1]
    near 0.0 e[2]

[<Fact>]
let ``a single point against a curve at equal quality: half the rate is -50 percent, outside the curve none`` () =
    near -50.0 (BdRate.atEqualQuality anchor { Rate = 0.5; Quality = 31.0 }).Value
    near 0.0 (BdRate.atEqualQuality anchor { Rate = 0.5; Quality = 27.5 }).Value
    Assert.Equal(None, BdRate.atEqualQuality anchor { Rate = 0.1; Quality = 20.0 })
