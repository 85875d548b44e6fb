namespace VqVae.Codec.Evaluation

open System
open VqVae.Codec.Models.Data

/// The MS-SSIM of one image pair and how many scales it used.
type MsSsimValue =
    {
        /// MS-SSIM in [0, 1] (1 for identical images), the mean over the R, G and B channels.
        Value: float
        /// Scales used: 5 when the shorter side is at least 176 pixels, fewer for smaller images
        /// (then the first weights are renormalised to sum to 1); 1 is single-scale SSIM.
        Scales: int
    }

/// Distortion between an original and a reconstructed 8-bit RGB image. Pure functions; docs/evaluation.md
/// gives the definitions.
[<RequireQualifiedAccess>]
module ImageMetrics =
    /// MS-SSIM scale weights (Wang, Simoncelli, Bovik 2003), finest scale first.
    let MsSsimWeights = [| 0.0448; 0.2856; 0.3001; 0.2363; 0.1333 |]

    /// Side of the Gaussian window in pixels.
    [<Literal>]
    let WindowSide = 11

    /// Standard deviation of the Gaussian window in pixels.
    [<Literal>]
    let WindowSigma = 1.5

    /// SSIM stabilising constants: C1 = (K1 L)^2, C2 = (K2 L)^2 with L = 255.
    [<Literal>]
    let K1 = 0.01

    /// See K1.
    [<Literal>]
    let K2 = 0.03

    let private c1 = (K1 * 255.0) ** 2.0
    let private c2 = (K2 * 255.0) ** 2.0

    let private checkPair (a: RgbImage) (b: RgbImage) =
        if a.Width <> b.Width || a.Height <> b.Height then
            invalidArg (nameof b) $"images differ in size: {a.Width}x{a.Height} and {b.Width}x{b.Height}"

        if a.Pixels.Length <> 3 * a.Width * a.Height || b.Pixels.Length <> 3 * b.Width * b.Height then
            invalidArg (nameof b) "an image's pixel array does not hold width x height x 3 samples"

    /// Mean squared error over every R, G and B sample, in 8-bit levels.
    let mse (original: RgbImage) (reconstruction: RgbImage) =
        checkPair original reconstruction
        let a = original.Pixels
        let b = reconstruction.Pixels
        let mutable sum = 0L

        for i in 0 .. a.Length - 1 do
            let d = int a[i] - int b[i]
            sum <- sum + int64 (d * d)

        float sum / float a.Length

    /// PSNR in dB of a mean squared error in 8-bit levels: 10 log10(255^2 / MSE); +infinity for MSE 0.
    let psnrOfMse (mse: float) =
        if mse <= 0.0 then Double.PositiveInfinity else 10.0 * Math.Log10(255.0 * 255.0 / mse)

    /// PSNR in dB over every R, G and B sample (one MSE over all three channels, not a mean of three PSNRs).
    let psnr (original: RgbImage) (reconstruction: RgbImage) = psnrOfMse (mse original reconstruction)

    /// The normalised 11-tap Gaussian (sigma 1.5), as MATLAB's fspecial('gaussian', 11, 1.5) in one dimension.
    let gaussianWindow =
        let half = WindowSide / 2
        let g = Array.init WindowSide (fun i -> Math.Exp(-float ((i - half) * (i - half)) / (2.0 * WindowSigma * WindowSigma)))
        let s = Array.sum g
        g |> Array.map (fun v -> v / s)

    /// The number of scales MS-SSIM uses for a width x height image: scales are added while the shorter
    /// side (halved, rounded down, at each scale) is at least the window side, up to five; 0 below 11 pixels.
    let msSsimScales (width: int) (height: int) =
        let mutable side = min width height
        let mutable scales = 0

        while scales < MsSsimWeights.Length && side >= WindowSide do
            scales <- scales + 1
            side <- side / 2

        scales

    /// "Valid" separable filtering with the Gaussian window: the output is (w - 10) x (h - 10).
    let private filter (x: float[]) (w: int) (h: int) =
        let g = gaussianWindow
        let ow = w - WindowSide + 1
        let oh = h - WindowSide + 1
        let rows = Array.zeroCreate (ow * h)

        for y in 0 .. h - 1 do
            for ox in 0 .. ow - 1 do
                let mutable s = 0.0

                for k in 0 .. WindowSide - 1 do
                    s <- s + g[k] * x[y * w + ox + k]

                rows[y * ow + ox] <- s

        let out = Array.zeroCreate (ow * oh)

        for oy in 0 .. oh - 1 do
            for ox in 0 .. ow - 1 do
                let mutable s = 0.0

                for k in 0 .. WindowSide - 1 do
                    s <- s + g[k] * rows[(oy + k) * ow + ox]

                out[oy * ow + ox] <- s

        out

    /// Mean SSIM and mean contrast-structure term of one plane pair (w, h >= 11).
    let internal ssimAndCs (x: float[]) (y: float[]) (w: int) (h: int) =
        let product (p: float[]) (q: float[]) = Array.map2 (fun (a: float) b -> a * b) p q
        let mx = filter x w h
        let my = filter y w h
        let xx = filter (product x x) w h
        let yy = filter (product y y) w h
        let xy = filter (product x y) w h
        let mutable ssim = 0.0
        let mutable cs = 0.0

        for i in 0 .. mx.Length - 1 do
            let mux = mx[i]
            let muy = my[i]
            let vx = xx[i] - mux * mux
            let vy = yy[i] - muy * muy
            let cov = xy[i] - mux * muy
            let csi = (2.0 * cov + c2) / (vx + vy + c2)
            let li = (2.0 * mux * muy + c1) / (mux * mux + muy * muy + c1)
            cs <- cs + csi
            ssim <- ssim + li * csi

        ssim / float mx.Length, cs / float mx.Length

    /// 2x2 block average; an odd last row or column is dropped.
    let internal downsample (x: float[]) (w: int) (h: int) =
        let ow = w / 2
        let oh = h / 2

        let out =
            Array.init (ow * oh) (fun i ->
                let ox = i % ow
                let oy = i / ow
                let at dx dy = x[(2 * oy + dy) * w + 2 * ox + dx]
                (at 0 0 + at 1 0 + at 0 1 + at 1 1) / 4.0)

        out, ow, oh

    let private plane (image: RgbImage) (channel: int) =
        Array.init (image.Width * image.Height) (fun i -> float image.Pixels[3 * i + channel])

    /// MS-SSIM of one channel over `scales` scales: prod_{j<M} cs_j^w_j * ssim_M^w_M, each term clamped
    /// at 0 (as pytorch_msssim) so that a negative mean never meets a fractional power. With five scales
    /// the published weights are used as they are (they sum to 1.0001); with fewer, the first `scales`
    /// weights are divided by their sum.
    let internal msSsimPlane (x: float[]) (y: float[]) (w: int) (h: int) (scales: int) =
        let weights = MsSsimWeights[0 .. scales - 1]
        let total = if scales = MsSsimWeights.Length then 1.0 else Array.sum weights
        let mutable x = x
        let mutable y = y
        let mutable w = w
        let mutable h = h
        let mutable value = 1.0

        for s in 0 .. scales - 1 do
            let ssim, cs = ssimAndCs x y w h
            let term = if s = scales - 1 then ssim else cs
            value <- value * Math.Pow(max term 0.0, weights[s] / total)

            if s < scales - 1 then
                let dx, nw, nh = downsample x w h
                let dy, _, _ = downsample y w h
                x <- dx
                y <- dy
                w <- nw
                h <- nh

        value

    /// MS-SSIM (Wang, Simoncelli, Bovik 2003) on R, G and B separately, averaged; None when the shorter
    /// side is under 11 pixels (the window does not fit). Scales as `msSsimScales` says.
    let msSsim (original: RgbImage) (reconstruction: RgbImage) =
        checkPair original reconstruction
        let scales = msSsimScales original.Width original.Height

        if scales = 0 then
            None
        else
            let value =
                [ 0..2 ]
                |> List.averageBy (fun c -> msSsimPlane (plane original c) (plane reconstruction c) original.Width original.Height scales)

            Some { Value = value; Scales = scales }

    /// Single-scale SSIM (mean SSIM map over R, G and B, averaged); None under 11 pixels.
    let ssim (original: RgbImage) (reconstruction: RgbImage) =
        checkPair original reconstruction

        if min original.Width original.Height < WindowSide then
            None
        else
            [ 0..2 ]
            |> List.averageBy (fun c -> fst (ssimAndCs (plane original c) (plane reconstruction c) original.Width original.Height))
            |> Some

    /// MS-SSIM on the decibel scale often used in plots: -10 log10(1 - MS-SSIM); +infinity at 1.
    let msSsimDb (value: float) =
        if value >= 1.0 then Double.PositiveInfinity else -10.0 * Math.Log10(1.0 - value)
