module VqVae.Codec.Codec.Tests.ImageMetricsTests

open System
open Xunit
open FsCheck
open FsCheck.Xunit
open VqVae.Codec.Evaluation
open VqVae.Codec.Models.Data
open VqVae.Codec.Codec.Tests.TestData

let private image (w: int) (h: int) (f: int -> int -> int -> int) =
    RgbImage(w, h, Array.init (w * h * 3) (fun i -> byte (f (i / 3 % w) (i / 3 / w) (i % 3))))

let private constant w h (v: int) = image w h (fun _ _ _ -> v)

let private noise (seed: uint64) w h =
    let rng = SplitMix seed
    image w h (fun _ _ _ -> rng.Below 256)

let private near (expected: float) (actual: float) (tolerance: float) =
    Assert.True(abs (expected - actual) <= tolerance, $"expected {expected:R}, got {actual:R}")

[<Fact>]
let ``identical images: PSNR is infinite and SSIM and MS-SSIM are 1`` () =
    for w, h in [ (11, 11); (32, 32); (181, 177) ] do
        let a = noise 7UL w h
        Assert.Equal(Double.PositiveInfinity, ImageMetrics.psnr a a)
        near 1.0 (ImageMetrics.msSsim a a).Value.Value 1e-12
        near 1.0 (ImageMetrics.ssim a a).Value 1e-12

[<Fact>]
let ``PSNR of a known error: every sample off by one level is 48.13 dB, by ten levels 28.13 dB`` () =
    near 48.130803608679102 (ImageMetrics.psnr (constant 5 3 100) (constant 5 3 101)) 1e-12
    near 28.130803608679102 (ImageMetrics.psnr (constant 5 3 100) (constant 5 3 110)) 1e-12
    // One MSE over the three channels: only R off by 3 gives MSE 3.
    let b = image 4 4 (fun _ _ c -> if c = 0 then 103 else 100)
    near (10.0 * log10 (65025.0 / 3.0)) (ImageMetrics.psnr (constant 4 4 100) b) 1e-12

[<Fact>]
let ``the number of MS-SSIM scales: as many as keep the shorter side at 11 pixels or more, at most five`` () =
    for side, scales in [ (10, 0); (11, 1); (21, 1); (22, 2); (32, 2); (43, 2); (44, 3); (175, 4); (176, 5); (2000, 5) ] do
        Assert.Equal(scales, ImageMetrics.msSsimScales side (side + 50))
    Assert.Equal(5, ImageMetrics.msSsimScales 481 321)
    Assert.Equal(None, ImageMetrics.msSsim (constant 10 40 1) (constant 10 40 2))

[<Fact>]
let ``hand-checked: flat images 100 and 110 give l = (2 100 110 + C1) / (100^2 + 110^2 + C1) with the renormalised last weight`` () =
    let c1 = (0.01 * 255.0) ** 2.0
    let l = (2.0 * 100.0 * 110.0 + c1) / (100.0 * 100.0 + 110.0 * 110.0 + c1)
    near (1.0 - 100.0 / 22106.5025) l 1e-12 // C1 = 6.5025: 0.99547644...
    let ms w h = (ImageMetrics.msSsim (constant w h 100) (constant w h 110)).Value
    Assert.Equal(1, (ms 11 11).Scales)
    near l (ms 11 11).Value 1e-12
    Assert.Equal(2, (ms 32 32).Scales)
    near (l ** (0.2856 / (0.0448 + 0.2856))) (ms 32 32).Value 1e-12
    Assert.Equal(5, (ms 176 180).Scales)
    near (l ** 0.1333) (ms 176 180).Value 1e-12

/// SSIM straight from the definition: a 2-D Gaussian window at every valid position, no separability.
let private referenceSsim (a: RgbImage) (b: RgbImage) =
    let g =
        Array2D.init 11 11 (fun i j -> exp (-(float ((i - 5) * (i - 5) + (j - 5) * (j - 5))) / 4.5))

    let total = Seq.cast<float> g |> Seq.sum
    let c1 = (0.01 * 255.0) ** 2.0
    let c2 = (0.03 * 255.0) ** 2.0
    let at (im: RgbImage) x y c = float im.Pixels[3 * (y * im.Width + x) + c]

    [ 0..2 ]
    |> List.averageBy (fun c ->
        [ for y0 in 0 .. a.Height - 11 do
              for x0 in 0 .. a.Width - 11 do
                  let mutable mx, my, xx, yy, xy = 0.0, 0.0, 0.0, 0.0, 0.0

                  for i in 0..10 do
                      for j in 0..10 do
                          let w = g[i, j] / total
                          let p = at a (x0 + j) (y0 + i) c
                          let q = at b (x0 + j) (y0 + i) c
                          mx <- mx + w * p
                          my <- my + w * q
                          xx <- xx + w * p * p
                          yy <- yy + w * q * q
                          xy <- xy + w * p * q

                  let vx = xx - mx * mx
                  let vy = yy - my * my
                  let cov = xy - mx * my
                  ((2.0 * mx * my + c1) * (2.0 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2)) ]
        |> List.average)

[<Fact>]
let ``SSIM agrees with the definition evaluated directly with a 2-D window`` () =
    let a = noise 3UL 14 12
    let b = image 14 12 (fun x y c -> (int a.Pixels[3 * (y * 14 + x) + c] + 40 * ((x + c) % 3) + 17) % 256)
    near (referenceSsim a b) (ImageMetrics.ssim a b).Value 1e-12
    // The one-scale MS-SSIM of a 12-pixel image is SSIM.
    near (referenceSsim a b) (ImageMetrics.msSsim a b).Value.Value 1e-12

[<Fact>]
let ``MS-SSIM falls as noise grows and images of different sizes are refused`` () =
    let clean = image 64 48 (fun x y c -> (x * 3 + y * 2 + c * 40) % 256)
    let noisy amount =
        let rng = SplitMix 11UL
        image 64 48 (fun x y c -> Math.Clamp((x * 3 + y * 2 + c * 40) % 256 + rng.Below(2 * amount + 1) - amount, 0, 255))

    let values = [ 2; 10; 40 ] |> List.map (fun n -> (ImageMetrics.msSsim clean (noisy n)).Value.Value)
    Assert.True(values = List.sortDescending values && List.forall (fun v -> v < 1.0 && v > 0.0) values, $"%A{values}")
    Assert.Throws<ArgumentException>(fun () -> ImageMetrics.psnr clean (constant 64 47 0) |> ignore) |> ignore
    Assert.Throws<ArgumentException>(fun () -> ImageMetrics.msSsim clean (constant 63 48 0) |> ignore) |> ignore

[<Property(MaxTest = 30)>]
let ``MS-SSIM is symmetric and within [0, 1]`` (seed: uint64) (w: byte) (h: byte) =
    let w = 11 + int w % 30
    let h = 11 + int h % 30
    let a = noise seed w h
    let b = noise (seed + 1UL) w h
    let ab = (ImageMetrics.msSsim a b).Value.Value
    let ba = (ImageMetrics.msSsim b a).Value.Value
    abs (ab - ba) < 1e-12 && ab >= 0.0 && ab <= 1.0

[<Fact>]
let ``MS-SSIM in dB: 0.99 is 20 dB, 1 is infinite`` () =
    near 20.0 (ImageMetrics.msSsimDb 0.99) 1e-9
    Assert.Equal(Double.PositiveInfinity, ImageMetrics.msSsimDb 1.0)
