module VqVae.Codec.Codec.Tests.TinyModels

open System
open System.Text.Json.Nodes
open TorchSharp
open VqVae.Codec.Models.Data
open VqVae.Codec.Models.Files
open VqVae.Codec.Models.Networks
open VqVae.Codec.Models.Priors
open VqVae.Codec.Models.Quantizers
open VqVae.Codec.Pipeline

/// Untrained but fixed models (seeded): enough to test exactness, sizes and errors, not quality.
let vqvaeBytes (seed: int64) (downsampling: int) =
    torch.random.manual_seed seed |> ignore
    let a = VqVaeArchitecture(HiddenChannels = 16, ResidualChannels = 8, ResidualBlocks = 1, LatentDim = 8, CodebookSize = 32, Downsampling = downsampling)
    use network = new VqVaeNetwork(a, QuantizerOptions())
    // Seed the prototypes with latents of a noise image (the quantizer's init from encoder outputs),
    // so that images pick many different codes.
    network.train ()
    use noise = torch.rand(8L, 3L, 32L, 32L) - 0.5
    network.Forward(noise, 0.0) |> ignore
    network.eval ()
    VqVaeModel.ToFile(network, $"tiny-f{downsampling}", JsonObject()).ToBytes()

/// A tiny prior of `kind` named `name` over the codes (K = 32) of `vqvae`; a unigram's counts are s + 1.
let namedPriorBytes (name: string) (seed: int64) (kind: PriorKind) (vqvae: byte[]) =
    torch.random.manual_seed seed |> ignore
    let a = PriorArchitecture(Kind = kind, CodebookSize = 32, Channels = 8, Layers = 2, HeadChannels = 16)
    use prior = PriorFactory.Create(a, Array.init 32 (fun i -> int64 (i + 1)))
    PriorModel.ToFile(prior, name, ModelFile.DigestOf(ReadOnlySpan vqvae), JsonObject()).ToBytes()

let priorBytes (seed: int64) (kind: PriorKind) (vqvae: byte[]) =
    namedPriorBytes $"tiny-{PriorArchitecture.NameOf kind}" seed kind vqvae

/// The tiny VQ-VAE (downsampling 4, K = 32) with two further code levels: K = 16 at d = 4, K = 12 at d = 2.
let levelsVqVaeBytes (seed: int64) (name: string) =
    torch.random.manual_seed seed |> ignore

    let a =
        VqVaeArchitecture(
            HiddenChannels = 16,
            ResidualChannels = 8,
            ResidualBlocks = 1,
            LatentDim = 8,
            CodebookSize = 32,
            Levels = [| ResidualLevelArchitecture(Dim = 4, CodebookSize = 16); ResidualLevelArchitecture(Dim = 2, CodebookSize = 12) |]
        )

    use network = new VqVaeNetwork(a, QuantizerOptions())
    // As vqvaeBytes: every level's prototypes from the latents (and residuals) of a noise image.
    network.train ()
    use noise = torch.rand (8L, 3L, 32L, 32L) - 0.5
    network.Forward(noise, 0.0) |> ignore
    network.eval ()
    VqVaeModel.ToFile(network, name, JsonObject()).ToBytes()

/// An untrained checkerboard level prior (levels 2 and 3, K = 16 and 12) over the levels of `vqvae`.
let levelPriorBytes (seed: int64) (name: string) (vqvae: byte[]) =
    torch.random.manual_seed seed |> ignore
    let a = CheckerboardLevelArchitecture(LatentDim = 8, LevelCodebookSizes = [| 16; 12 |], ContextChannels = 8, CodeChannels = 4, HiddenChannels = 16)
    use prior = new CheckerboardLevelPrior(a)
    prior.eval () |> ignore
    CheckerboardLevelModel.ToFile(prior, name, ModelFile.DigestOf(ReadOnlySpan vqvae), JsonObject()).ToBytes()

/// A catalogue with a tiny VQ-VAE (downsampling 4) and its gated PixelCNN and unigram priors, and a
/// "high" preset on the gated prior with tiles of `tile`.
let catalog (tile: int) =
    let v = vqvaeBytes 1L 4
    let sources =
        [
            ModelSource.ofBytes "test:tiny-f4.vqm" false v
            ModelSource.ofBytes "test:tiny-gated.vqp" false (priorBytes 2L PriorKind.GatedPixelCnn v)
            ModelSource.ofBytes "test:tiny-unigram.vqp" false (priorBytes 3L PriorKind.Unigram v)
        ]

    let presets = [ { Quality = Quality.High; MaxSide = None; VqVae = "tiny-f4"; Prior = "tiny-gated-pixelcnn"; TileSide = tile; Levels = 1; LevelPrior = None } ]
    ModelCatalog.create sources presets

/// A deterministic test image of width x height: smooth gradients and a few edges.
let image (width: int) (height: int) (channels: int) =
    let pixels = Array.zeroCreate<byte> (width * height * 3)

    for y in 0 .. height - 1 do
        for x in 0 .. width - 1 do
            let r = byte ((x * 255) / max 1 (width - 1))
            let g = byte ((y * 255) / max 1 (height - 1))
            let b = if (x / 5 + y / 7) % 2 = 0 then 40uy else 200uy
            let i = 3 * (y * width + x)
            pixels[i] <- r
            pixels[i + 1] <- (if channels = 1 then r else g)
            pixels[i + 2] <- (if channels = 1 then r else b)

    RgbImage(width, height, pixels, SourceChannels = channels)
