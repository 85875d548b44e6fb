module VqVae.Codec.Codec.Tests.NetworkTilingTests

open System
open System.Threading
open Xunit
open TorchSharp
open VqVae.Codec.Format
open VqVae.Codec.Models.Data
open VqVae.Codec.Models.Networks
open VqVae.Codec.Models.Quantizers
open VqVae.Codec.Pipeline
open VqVae.Codec.Codec.Tests.TinyModels

let private none = CancellationToken.None
/// Untiled: a tile larger than any test image.
let private untiled = { CodecOptions.Default with Threads = 2; NetworkTilePixels = 1 <<< 16 }

let private arch (f: int) (blocks: int) = VqVaeArchitecture(Downsampling = f, ResidualBlocks = blocks)

[<Fact>]
let ``receptive field: the thesis network's numbers, worked out by hand`` () =
    // f = 4, 2 residual blocks: the 3x3 layers give latents i-3..i+3 of the stride-2 grid's last map,
    // then [2i-7, 2i+8], then pixels [4i-15, 4i+18].
    Assert.Equal(struct (-15L, 18L), ReceptiveField.EncoderPixels(arch 4 2))
    Assert.Equal(struct (4, 4), ReceptiveField.EncoderMargin(arch 4 2))
    // Pixels 0..3 come from latents -1..1 through the transposed convolutions, then +-3.
    Assert.Equal(struct (-4L, 4L), ReceptiveField.DecoderLatents(arch 4 2))
    Assert.Equal(4, ReceptiveField.Margin(arch 4 2))
    // f = 8: pixels [8i-31, 8i+38]; pixels 0..7 from latents -4..4.
    Assert.Equal(struct (-31L, 38L), ReceptiveField.EncoderPixels(arch 8 2))
    Assert.Equal(struct (-4L, 4L), ReceptiveField.DecoderLatents(arch 8 2))
    Assert.Equal(4, ReceptiveField.Margin(arch 8 2))
    // The tiny test network (one residual block): pixels [4i-11, 4i+14], latents -3..3.
    Assert.Equal(struct (-11L, 14L), ReceptiveField.EncoderPixels(arch 4 1))
    Assert.Equal(3, ReceptiveField.Margin(arch 4 1))

/// The positions (one axis) where two [.., H, W] tensors differ, as (min, max) of rows and of columns.
let private changedExtent (a: torch.Tensor) (b: torch.Tensor) =
    use d = (a - b).abs()
    use any = d.reshape(-1L, d.shape[d.shape.Length - 2], d.shape[d.shape.Length - 1]).amax([| 0L |])
    use idx = torch.nonzero(any.gt(torch.tensor 0.0f))
    let rows = idx.select(1, 0L).data<int64>().ToArray()
    let cols = idx.select(1, 1L).data<int64>().ToArray()
    (Array.min rows, Array.max rows), (Array.min cols, Array.max cols)

[<Theory>]
[<InlineData(4, 2)>]
[<InlineData(8, 1)>]
let ``receptive field: a changed pixel changes exactly the latents the computation names, a changed latent exactly its pixels`` (f: int, blocks: int) =
    torch.random.manual_seed 11L |> ignore
    let a = VqVaeArchitecture(HiddenChannels = 16, ResidualChannels = 8, ResidualBlocks = blocks, LatentDim = 8, CodebookSize = 16, Downsampling = f)
    use network = new VqVaeNetwork(a, QuantizerOptions())
    network.eval ()
    // Encoder: pixel p (both axes) is read by latents i with f*i + lo <= p <= f*i + hi.
    let side, p = 32 * f, 16 * f + 1
    use x = torch.rand(1L, 3L, int64 side, int64 side) - 0.5
    use y = x.clone ()
    y.narrow(2, int64 p, 1L).narrow(3, int64 p, 1L).fill_((0.9f).ToScalar()) |> ignore
    use zx = network.EncodeToLatents x
    use zy = network.EncodeToLatents y
    let struct (lo, hi) = ReceptiveField.EncoderPixels a
    let first, last = int64 (ceil (float (int64 p - hi) / float f)), int64 (floor (float (int64 p - lo) / float f))
    Assert.Equal(((first, last), (first, last)), changedExtent zx zy)
    // Decoder: latent q is read by pixels whose latent interval contains q.
    let q = 16L
    use codes = torch.randint(0L, 16L, [| 1L; 32L; 32L |])
    use latents = network.Quantizer.Decode codes
    use changed = latents.clone ()
    changed.narrow(2, q, 1L).narrow(3, q, 1L).fill_((2.0f).ToScalar()) |> ignore
    use ix = network.DecodeLatents latents
    use iy = network.DecodeLatents changed
    let struct (dlo, dhi) = ReceptiveField.DecoderLatents a
    // Pixel block of latent i reads latents i + dlo .. i + dhi: q is read by blocks q - dhi .. q - dlo.
    let firstPixel, lastPixel = (q - dhi) * int64 f, (q - dlo) * int64 f + int64 f - 1L
    let (r0, r1), (c0, c1) = changedExtent ix iy
    Assert.True(r0 >= firstPixel && r1 <= lastPixel && c0 >= firstPixel && c1 <= lastPixel, $"changed rows {r0}..{r1}, columns {c0}..{c1}; computed {firstPixel}..{lastPixel}")
    // Tight up to the block: the extreme blocks are reached.
    Assert.True(r0 < firstPixel + int64 f && r1 > lastPixel - int64 f, $"changed rows {r0}..{r1}; computed {firstPixel}..{lastPixel}")

[<Fact>]
let ``tiles: the cores cover the grid once, the extended tiles add the margin cut to the grid`` () =
    let tiles = NetworkTiles.Tiles(10, 14, 4, 3)
    let seen = Array2D.zeroCreate<int> 10 14

    for t in tiles do
        for r in t.Core.Top .. t.Core.Top + t.Core.Height - 1 do
            for c in t.Core.Left .. t.Core.Left + t.Core.Width - 1 do
                seen[r, c] <- seen[r, c] + 1

        Assert.Equal(max 0 (t.Core.Top - 3), t.Extended.Top)
        Assert.Equal(min 10 (t.Core.Top + t.Core.Height + 3), t.Extended.Top + t.Extended.Height)
        Assert.Equal(max 0 (t.Core.Left - 3), t.Extended.Left)
        Assert.Equal(min 14 (t.Core.Left + t.Core.Width + 3), t.Extended.Left + t.Extended.Width)

    Assert.All(seen |> Seq.cast<int>, fun n -> Assert.Equal(1, n))
    Assert.Equal(3 * 4, tiles.Count)

/// 8-bit pixels of a tiled decode against the untiled one. libtorch's convolutions are not exactly
/// shape-invariant on every CPU: on the 2026-12-07 machine (AVX-512 FP16 class) the built-in f4 decoder's
/// floats differ by up to 2.4e-7 between a whole grid and a crop of it (at every oneDNN ISA cap and thread
/// count), so a value that lies on a rounding boundary can come out one level apart (1 of 28,329 values of
/// a 133 x 71 image there; 0 on the machines before). The tiling itself (margins, cores) is exact: any
/// missing context would change many pixels by far more.
let private assertPixelsMatch (untiledPixels: byte[]) (tiledPixels: byte[]) =
    Assert.Equal(untiledPixels.Length, tiledPixels.Length)
    let apart = Array.map2 (fun (a: byte) (b: byte) -> abs (int a - int b)) untiledPixels tiledPixels
    Assert.True(Array.max apart <= 1, $"a pixel value differs by {Array.max apart}")
    let count = apart |> Array.filter (fun d -> d > 0) |> Array.length
    Assert.True(count * 10_000 <= untiledPixels.Length, $"{count} of {untiledPixels.Length} values differ")

/// Codes and 8-bit pixels of tiled runs (tile sides in pixels) against the untiled network.
let private assertTiledEqualsUntiled (models: CodecModels) (img: RgbImage) (tileSides: int list) =
    let codes = (ImageCodec.analyse models untiled 1 [| img |]).[0].[0]
    let f = models.Downsampling.Factor
    let header =
        {
            Version = FormatVersions.V1_0
            Width = img.Width
            Height = img.Height
            Colour = (if img.SourceIsGray then ColourModel.Grayscale else ColourModel.Rgb)
            Downsampling = models.Downsampling
            Tiling = PriorTiling.WholeGrid
            Coding = CodingScheme.RangeCoder16
            ModelsTag = models.Tag
        }
    let pixels = (ImageCodec.synthesise models untiled header [| [| codes |] |])[0]
    Assert.Equal(((img.Height + f - 1) / f) * ((img.Width + f - 1) / f), codes.Length)

    for side in tileSides do
        let o = { untiled with NetworkTilePixels = side }
        let tile = side / f
        Assert.False(NetworkTiles.IsOneTile(header.LatentHeight, header.LatentWidth, tile), $"tile {side} must split the image")
        Assert.Equal<int[]>(codes, (ImageCodec.analyse models o 1 [| img |]).[0].[0])
        let tiled = (ImageCodec.synthesise models o header [| [| codes |] |])[0]
        Assert.Equal((img.Width, img.Height, pixels.SourceChannels), (tiled.Width, tiled.Height, tiled.SourceChannels))
        assertPixelsMatch pixels.Pixels tiled.Pixels

[<Theory>]
[<InlineData(37, 53, 3)>]
[<InlineData(133, 71, 3)>]
[<InlineData(133, 71, 1)>]
[<InlineData(53, 37, 3)>]
let ``tiny network: tiled codes and 8-bit pixels equal the untiled network's on odd sizes`` (w: int, h: int, channels: int) =
    use catalog = TinyModels.catalog 8
    let models = catalog.Load(catalog.Find("vqvae", "tiny-f4"), catalog.Find("prior", "tiny-gated-pixelcnn"))
    assertTiledEqualsUntiled models (image w h channels) [ 4; 8; 16; 20; 32 ]

/// A noisy photo-like image: the built-in models see texture, not just gradients.
let private noisy (w: int) (h: int) =
    let rng = TestData.SplitMix(7UL)
    let img = image w h 3
    let p = img.Pixels |> Array.map (fun v -> byte (min 255 (int v / 2 + rng.Below 128)))
    RgbImage(w, h, p)

[<Theory>]
[<InlineData("photo-bsds-f4", 133, 71)>]
[<InlineData("photo-bsds-f4", 37, 53)>]
[<InlineData("photo-bsds-f8", 133, 71)>]
let ``built-in photo networks: tiled codes and 8-bit pixels equal the untiled network's`` (vqvae: string, w: int, h: int) =
    use catalog = DefaultModels.openCatalog []
    let prior = vqvae + "-gated"
    let models = catalog.Load(catalog.Find("vqvae", vqvae), catalog.Find("prior", prior))
    let f = models.Downsampling.Factor
    assertTiledEqualsUntiled models (noisy w h) [ 2 * f; 4 * f; 8 * f; 12 * f ]

[<Fact>]
let ``levels: tiled level codes and pixels equal the untiled network's`` () =
    torch.random.manual_seed 3L |> ignore
    let levels = [| ResidualLevelArchitecture(Dim = 4, CodebookSize = 16); ResidualLevelArchitecture(Dim = 4, CodebookSize = 16) |]
    let a = VqVaeArchitecture(HiddenChannels = 16, ResidualChannels = 8, ResidualBlocks = 1, LatentDim = 8, CodebookSize = 32, Levels = levels)
    use network = new VqVaeNetwork(a, QuantizerOptions())
    network.train ()
    use noise = torch.rand(8L, 3L, 32L, 32L) - 0.5
    network.Forward(noise, 0.0) |> ignore
    network.eval ()
    let img = noisy 61 45
    use x = Padding.ToMultiple(ImageTensors.ToTensor([| img |]), 4)
    let whole = network.EncodeToLevels(x, 3)
    let wholeCodes = whole |> Array.map (fun g -> g.to_type(torch.ScalarType.Int32).data<int>().ToArray())
    use decoded = network.DecodeLevels whole
    let wholePixels = (ImageTensors.ToImages(decoded.narrow(2, 0L, 45L).narrow(3, 0L, 61L))).[0].Pixels

    for tile in [ 1; 2; 3; 5 ] do
        let tiled = NetworkTiles.Encode(network, img, 3, tile)
        for l in 0..2 do
            Assert.Equal<int[]>(wholeCodes[l], tiled[l])
        let pixels = NetworkTiles.Decode(network, tiled, 12, 16, 61, 45, tile)
        Assert.Equal<byte[]>(wholePixels, pixels.Pixels)

    for g in whole do
        g.Dispose()

[<Fact>]
let ``a file encoded in tiles is the file of the untiled network, and decodes to its pixels`` () =
    use catalog = TinyModels.catalog 8
    let img = image 133 71 3
    let whole = ImageCodec.encode catalog untiled None img none
    let tiled = ImageCodec.encode catalog { untiled with NetworkTilePixels = 16 } None img none
    Assert.Equal<byte[]>(whole.Bytes, tiled.Bytes)
    Assert.Equal<byte[]>(whole.Reconstruction.Value.Pixels, tiled.Reconstruction.Value.Pixels)

[<Fact>]
let ``a network tile side that is not a multiple of the downsampling is an options error`` () =
    use catalog = TinyModels.catalog 8
    Assert.Throws<VqVae.Codec.Models.InvalidOptionsException>(fun () ->
        ImageCodec.encode catalog { untiled with NetworkTilePixels = 18 } None (image 40 40 3) none |> ignore)
    |> ignore
