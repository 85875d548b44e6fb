namespace VqVae.Codec.Evaluation

open System

/// One point of a rate-distortion curve: a rate (bits per pixel, > 0) and a quality (PSNR in dB, or
/// another metric where higher is better).
type RdPoint =
    {
        /// Bits per pixel.
        Rate: float
        /// PSNR in dB (or MS-SSIM in dB).
        Quality: float
    }

/// How log(rate) is interpolated as a function of quality.
[<RequireQualifiedAccess>]
type BdMethod =
    /// Piecewise cubic Hermite interpolation through the points (Fritsch-Carlson slopes, as scipy's
    /// PchipInterpolator and the later Bjontegaard tools): needs 2 points per curve, never overshoots.
    | Pchip
    /// The classic VCEG-M33 least-squares cubic polynomial: needs 4 points per curve.
    | CubicPolynomial

    /// The fewest points a curve needs.
    member this.MinimumPoints =
        match this with
        | Pchip -> 2
        | CubicPolynomial -> 4

/// A Bjontegaard delta rate, or why there is none.
[<RequireQualifiedAccess>]
type BdRateResult =
    /// The mean rate difference of the test curve against the anchor in percent (negative: the test
    /// needs less rate for the same quality), over the quality interval [Low, High] both curves cover.
    | Percent of percent: float * low: float * high: float
    /// No number: the reason, as a sentence fragment ("jpeg has 1 point; ...").
    | Undefined of reason: string

/// Bjontegaard delta rate (G. Bjontegaard, VCEG-M33, 2001): the mean over the overlapping quality
/// interval of log(rate_test) - log(rate_anchor), each interpolated as a function of quality, as a
/// percentage: 100 (exp(mean) - 1). Nothing is extrapolated.
[<RequireQualifiedAccess>]
module BdRate =
    /// A cubic on [x0, x1]: y(x) = c0 + c1 t + c2 t^2 + c3 t^3 with t = x - x0.
    type private Piece = { X0: float; X1: float; C: float[] }

    let private integrate (p: Piece) (a: float) (b: float) =
        let anti (t: float) = p.C[0] * t + p.C[1] * t * t / 2.0 + p.C[2] * t * t * t / 3.0 + p.C[3] * t * t * t * t / 4.0
        anti (b - p.X0) - anti (a - p.X0)

    /// Fritsch-Carlson slopes (scipy.interpolate.PchipInterpolator, including its end-point rule).
    let internal pchipSlopes (x: float[]) (y: float[]) =
        let n = x.Length
        let h = Array.init (n - 1) (fun k -> x[k + 1] - x[k])
        let delta = Array.init (n - 1) (fun k -> (y[k + 1] - y[k]) / h[k])

        if n = 2 then
            [| delta[0]; delta[0] |]
        else
            let d = Array.zeroCreate n

            for k in 1 .. n - 2 do
                if delta[k - 1] * delta[k] > 0.0 then
                    let w1 = 2.0 * h[k] + h[k - 1]
                    let w2 = h[k] + 2.0 * h[k - 1]
                    d[k] <- (w1 + w2) / (w1 / delta[k - 1] + w2 / delta[k])

            let edge (h0: float) (h1: float) (m0: float) (m1: float) =
                let e = ((2.0 * h0 + h1) * m0 - h0 * m1) / (h0 + h1)

                if Math.Sign e <> Math.Sign m0 then 0.0
                elif Math.Sign m0 <> Math.Sign m1 && abs e > abs (3.0 * m0) then 3.0 * m0
                else e

            d[0] <- edge h[0] h[1] delta[0] delta[1]
            d[n - 1] <- edge h[n - 2] h[n - 3] delta[n - 2] delta[n - 3]
            d

    let private pchipPieces (x: float[]) (y: float[]) =
        let d = pchipSlopes x y

        [ for k in 0 .. x.Length - 2 ->
              let h = x[k + 1] - x[k]
              let delta = (y[k + 1] - y[k]) / h
              { X0 = x[k]; X1 = x[k + 1]; C = [| y[k]; d[k]; (3.0 * delta - 2.0 * d[k] - d[k + 1]) / h; (d[k] + d[k + 1] - 2.0 * delta) / (h * h) |] } ]

    /// Least-squares cubic through (x, y) (n >= 4), as one piece over the whole range, centred at the mean x.
    let private cubicPiece (x: float[]) (y: float[]) =
        let centre = Array.average x
        let t = x |> Array.map (fun v -> v - centre)
        // Normal equations A c = b with A[i][j] = sum t^(i+j), solved by Gaussian elimination with pivoting.
        let a = Array2D.init 4 4 (fun i j -> t |> Array.sumBy (fun v -> v ** float (i + j)))
        let b = Array.init 4 (fun i -> Array.map2 (fun (v: float) w -> w * v ** float i) t y |> Array.sum)

        for col in 0..3 do
            let pivot = [ col..3 ] |> List.maxBy (fun r -> abs a[r, col])

            for j in 0..3 do
                let tmp = a[col, j]
                a[col, j] <- a[pivot, j]
                a[pivot, j] <- tmp

            let tmp = b[col]
            b[col] <- b[pivot]
            b[pivot] <- tmp

            for r in col + 1 .. 3 do
                let f = a[r, col] / a[col, col]

                for j in col..3 do
                    a[r, j] <- a[r, j] - f * a[col, j]

                b[r] <- b[r] - f * b[col]

        let c = Array.zeroCreate 4

        for r in 3..-1..0 do
            let mutable s = b[r]

            for j in r + 1 .. 3 do
                s <- s - a[r, j] * c[j]

            c[r] <- s / a[r, r]

        { X0 = centre; X1 = Array.max x; C = c }

    /// Integral of the interpolant over [lo, hi] (inside the points' range).
    let private integral (method: BdMethod) (x: float[]) (y: float[]) (lo: float) (hi: float) =
        match method with
        | BdMethod.CubicPolynomial -> integrate (cubicPiece x y) lo hi
        | BdMethod.Pchip ->
            pchipPieces x y
            |> List.sumBy (fun p ->
                let a = max lo p.X0
                let b = min hi p.X1
                if b > a then integrate p a b else 0.0)

    /// The points sorted by quality, or why they cannot form a curve.
    let private prepare (method: BdMethod) (name: string) (points: RdPoint seq) =
        let sorted = points |> Seq.sortBy (fun p -> p.Quality) |> Array.ofSeq

        if sorted.Length < method.MinimumPoints then
            let methodName = if method = BdMethod.Pchip then "piecewise cubic" else "cubic polynomial"
            let plural = if sorted.Length = 1 then "" else "s"
            Error $"{name} has {sorted.Length} point{plural}; the {methodName} fit needs at least {method.MinimumPoints}"
        elif sorted |> Array.exists (fun p -> not (p.Rate > 0.0) || Double.IsInfinity p.Rate || not (Double.IsFinite p.Quality)) then
            Error $"{name} has a point with a rate that is not positive or a quality that is not finite"
        elif sorted |> Array.pairwise |> Array.exists (fun (p, q) -> q.Quality <= p.Quality) then
            Error $"{name} has two points of the same quality"
        else
            Ok(sorted |> Array.map (fun p -> p.Quality), sorted |> Array.map (fun p -> Math.Log p.Rate))

    /// The BD-rate of `test` against `anchor` with `method`, over their overlapping quality interval when
    /// it is at least `minOverlap` wide (same unit as Quality). Names appear in the reasons.
    let compute (method: BdMethod) (minOverlap: float) (anchorName: string, anchor: RdPoint seq) (testName: string, test: RdPoint seq) =
        match prepare method anchorName anchor, prepare method testName test with
        | Error e, _
        | _, Error e -> BdRateResult.Undefined e
        | Ok(xa, ya), Ok(xt, yt) ->
            let lo = max xa[0] xt[0]
            let hi = min xa[xa.Length - 1] xt[xt.Length - 1]
            let range (x: float[]) = $"{x[0]:F2} to {x[x.Length - 1]:F2}"

            if hi <= lo then
                BdRateResult.Undefined $"the quality ranges do not overlap ({anchorName} {range xa}, {testName} {range xt})"
            elif hi - lo < minOverlap then
                BdRateResult.Undefined $"the quality ranges overlap only from {lo:F2} to {hi:F2}, less than {minOverlap:G3} ({anchorName} {range xa}, {testName} {range xt})"
            else
                let mean = (integral method xt yt lo hi - integral method xa ya lo hi) / (hi - lo)
                BdRateResult.Percent(100.0 * (Math.Exp mean - 1.0), lo, hi)

    /// The rate of a single `point` against the anchor's curve at the same quality, in percent
    /// (log-rate interpolated piecewise cubic); None when the point's quality lies outside the curve.
    let atEqualQuality (anchor: RdPoint seq) (point: RdPoint) =
        match prepare BdMethod.Pchip "anchor" anchor with
        | Error _ -> None
        | Ok(x, y) ->
            let q = point.Quality

            if not (point.Rate > 0.0) || q < x[0] || q > x[x.Length - 1] then
                None
            else
                let piece = pchipPieces x y |> List.find (fun p -> q >= p.X0 && q <= p.X1)
                let t = q - piece.X0
                let logRate = piece.C[0] + piece.C[1] * t + piece.C[2] * t * t + piece.C[3] * t * t * t
                Some(100.0 * (point.Rate / Math.Exp logRate - 1.0))
