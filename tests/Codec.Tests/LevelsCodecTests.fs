module VqVae.Codec.Codec.Tests.LevelsCodecTests

open System
open System.Text.Json.Nodes
open System.Threading
open TorchSharp
open Xunit
open VqVae.Codec.Format
open VqVae.Codec.Models
open VqVae.Codec.Models.Files
open VqVae.Codec.Models.Networks
open VqVae.Codec.Models.Priors
open VqVae.Codec.Models.Quantizers
open VqVae.Codec.Pipeline
open VqVae.Codec.Codec.Tests.TinyModels

// The image pipeline with code levels (docs/levels.md §4): a tiny VQ-VAE with two further levels
// (K 32, then 16 and 12), its gated PixelCNN and an untrained checkerboard level prior.

let private options = { CodecOptions.Default with Threads = 2 }
let private none = CancellationToken.None

let private levelsVqVae () =
    TinyModels.levelsVqVaeBytes 11L "tiny-levels"

let private levelPriorBytes (vqvae: byte[]) =
    torch.random.manual_seed 12L |> ignore
    let a = CheckerboardLevelArchitecture(LatentDim = 8, LevelCodebookSizes = [| 16; 12 |], ContextChannels = 8, CodeChannels = 4, HiddenChannels = 16)
    use prior = new CheckerboardLevelPrior(a)
    prior.eval () |> ignore
    CheckerboardLevelModel.ToFile(prior, "tiny-level-prior", ModelFile.DigestOf(ReadOnlySpan vqvae), JsonObject()).ToBytes()

let private sources =
    lazy
        (let v = levelsVqVae ()

         [
             ModelSource.ofBytes "test:tiny-levels.vqm" false v
             ModelSource.ofBytes "test:tiny-levels-gated.vqp" false (priorBytes 13L PriorKind.GatedPixelCnn v)
             ModelSource.ofBytes "test:tiny-level-prior.vql" false (levelPriorBytes v)
         ])

/// `high` sends one level of the levels model, `max` all three.
let private catalog () =
    let preset quality levels =
        { Quality = quality; MaxSide = None; VqVae = "tiny-levels"; Prior = "tiny-gated-pixelcnn"; TileSide = 8; Levels = levels; LevelPrior = Some "tiny-level-prior" }

    ModelCatalog.create sources.Value [ preset Quality.High 1; preset Quality.Max 3 ]

let private maxOptions = { options with Quality = Quality.Max }

[<Fact>]
let ``a three-level image round-trips: every level's codes, a LEVELS chunk, version 1.1 and the tag of all three models`` () =
    use catalog = catalog ()
    let encoded = ImageCodec.encode catalog { maxOptions with GridChecksum = GridChecksumPolicy.Always } None (image 45 37 3) none
    let decoded = ImageCodec.decode catalog options VqzReaderOptions.Default (ReadOnlyMemory encoded.Bytes) none
    Assert.Equal(3, encoded.Grids.Length)
    Assert.Equal(3, decoded.Grids.Length)

    for l in 0..2 do
        Assert.Equal<int[]>(encoded.Grids[l], decoded.Grids[l])

    Assert.True(encoded.Grids[1] |> Array.distinct |> Array.length >= 3, "level 2 must use varied codes")
    let file = Vqz.read VqzReaderOptions.Default (ReadOnlyMemory encoded.Bytes)
    Assert.Equal(3, VqzLevels.count file)
    Assert.Equal(FormatVersions.V1_1, file.Header.Version)
    let s = sources.Value
    Assert.Equal(ModelsTag.OfDigests(s[0].Digest, s[1].Digest, s[2].Digest), file.Header.ModelsTag)
    // The grid checksum covers every level, in order.
    Assert.Contains(VqzChunk.GridChecksum(GridChecksum.compute (List.ofArray encoded.Grids)), file.Chunks)
    Assert.Equal<byte[]>(encoded.Reconstruction.Value.Pixels, decoded.Image.Pixels)

[<Fact>]
let ``one level of a levels model is a 1.0 file of the VQ-VAE and prior alone, byte for byte what the pair writes`` () =
    use catalog = catalog ()
    let img = image 45 37 3
    let viaPreset = ImageCodec.encode catalog { options with GridChecksum = GridChecksumPolicy.Never } None img none
    use pair = new CodecModels(sources.Value[0], sources.Value[1])
    let viaPair = ImageCodec.encode catalog { options with GridChecksum = GridChecksumPolicy.Never; TileSide = Some 8 } (Some pair) img none
    Assert.Equal<byte[]>(viaPair.Bytes, viaPreset.Bytes)
    let file = Vqz.read VqzReaderOptions.Default (ReadOnlyMemory viaPreset.Bytes)
    Assert.Equal(1, VqzLevels.count file)
    Assert.Equal(FormatVersions.V1_0, file.Header.Version)
    Assert.Equal(ModelsTag.OfDigests(sources.Value[0].Digest, sources.Value[1].Digest), file.Header.ModelsTag)
    // Decodable without the level prior.
    use pairOnly = ModelCatalog.create (List.take 2 sources.Value) []
    let decoded = ImageCodec.decode pairOnly options VqzReaderOptions.Default (ReadOnlyMemory viaPreset.Bytes) none
    Assert.Equal<int[]>(viaPreset.Codes, decoded.Codes)

[<Fact>]
let ``each level sent is a prefix: --levels 2 codes the first two grids of --levels 3`` () =
    use catalog = catalog ()
    let img = image 40 28 3
    let three = ImageCodec.encode catalog maxOptions None img none
    let two = ImageCodec.encode catalog { maxOptions with Levels = Some 2 } None img none
    Assert.Equal(2, two.Grids.Length)
    Assert.Equal<int[]>(three.Grids[0], two.Grids[0])
    Assert.Equal<int[]>(three.Grids[1], two.Grids[1])
    Assert.True(two.Bytes.Length < three.Bytes.Length, $"{two.Bytes.Length} bytes for 2 levels, {three.Bytes.Length} for 3")

[<Fact>]
let ``multi-level files are the same bytes and decode to the same grids at 1, 2 and 4 threads`` () =
    use catalog = catalog ()
    let img = image 52 44 3
    let files = [ 1; 2; 4 ] |> List.map (fun t -> (ImageCodec.encode catalog { maxOptions with Threads = t } None img none).Bytes)
    Assert.Equal<byte[]>(files[0], files[1])
    Assert.Equal<byte[]>(files[0], files[2])

    let grids =
        [ 1; 2; 4 ] |> List.map (fun t -> (ImageCodec.decode catalog { options with Threads = t } VqzReaderOptions.Default (ReadOnlyMemory files[0]) none).Grids)

    Assert.Equal<int[][]>(grids[0], grids[1])
    Assert.Equal<int[][]>(grids[0], grids[2])

[<Fact>]
let ``more levels than the models have is an options error; a multi-level file without its level prior names what is missing`` () =
    use catalog = catalog ()
    Assert.Throws<InvalidOptionsException>(fun () -> ImageCodec.encode catalog { maxOptions with Levels = Some 4 } None (image 20 20 3) none |> ignore) |> ignore
    let encoded = ImageCodec.encode catalog { maxOptions with ModelNames = ModelNamesPolicy.Always } None (image 20 20 3) none
    use pairOnly = ModelCatalog.create (List.take 2 sources.Value) []
    let e = Assert.Throws<VqzModelException>(fun () -> ImageCodec.decode pairOnly options VqzReaderOptions.Default (ReadOnlyMemory encoded.Bytes) none |> ignore)
    Assert.Contains("tiny-level-prior", e.Message)

[<Fact>]
let ``a multi-level file with its models embedded decodes with no models installed`` () =
    use catalog = catalog ()
    let encoded = ImageCodec.encode catalog { maxOptions with EmbedModels = true } None (image 24 20 3) none
    use empty = ModelCatalog.create [] []
    let decoded = ImageCodec.decode empty options VqzReaderOptions.Default (ReadOnlyMemory encoded.Bytes) none
    Assert.Equal<int[][]>(encoded.Grids, decoded.Grids)

[<Fact>]
let ``a level prior whose alphabets are not the VQ-VAE's levels' is refused as the wrong model`` () =
    let v = sources.Value[0]
    torch.random.manual_seed 14L |> ignore
    let a = CheckerboardLevelArchitecture(LatentDim = 8, LevelCodebookSizes = [| 16; 8 |], ContextChannels = 8, CodeChannels = 4, HiddenChannels = 16)
    use prior = new CheckerboardLevelPrior(a)
    let bytes = CheckerboardLevelModel.ToFile(prior, "k8-level-prior", v.Digest.ToArray(), JsonObject()).ToBytes()
    let wrong = ModelSource.ofBytes "test:k8-level-prior.vql" false bytes
    let e = Assert.Throws<VqzModelException>(fun () -> new CodecModels(v, sources.Value[1], Some wrong) |> ignore)
    Assert.Equal(ModelProblem.Missing, e.Problem)
    Assert.Contains("k8-level-prior", e.Message)
    Assert.Contains("level 3: the prior has K = 8, the VQ-VAE K = 12", e.Message)

[<Fact>]
let ``an entropy-constrained choice writes a file that decodes to the codes it chose, whole or in network tiles`` () =
    // (lambda 0, the default, is the nearest prototype: the golden encode tests pin its bytes.)
    use catalog = catalog ()
    let img = image 45 37 3
    let nearest = ImageCodec.encode catalog maxOptions None img none

    for tilePixels in [ CodecOptions.Default.NetworkTilePixels; 16 ] do
        let o = { maxOptions with RateLambda = 4.0; NetworkTilePixels = tilePixels }
        let chosen = ImageCodec.encode catalog o None img none
        let decoded = ImageCodec.decode catalog options VqzReaderOptions.Default (ReadOnlyMemory chosen.Bytes) none
        Assert.Equal(3, decoded.Grids.Length)

        for l in 0..2 do
            Assert.Equal<int[]>(chosen.Grids[l], decoded.Grids[l])

        // Level 1's codes are only ever pulled towards codes its nearest choice already uses (further levels
        // quantize other residuals, so their nearest codes differ).
        Assert.True(Array.distinct chosen.Grids[0] |> Array.forall (fun c -> Array.contains c nearest.Grids[0]))

        Assert.NotEqual<int[]>(nearest.Grids[0], chosen.Grids[0])
        Assert.Equal<byte[]>(chosen.Reconstruction.Value.Pixels, decoded.Image.Pixels)

[<Fact>]
let ``a rate weight out of range is refused before any model is read`` () =
    use catalog = ModelCatalog.create [] []

    for bad in [ -1.0; 100.5; nan; infinity ] do
        let e = Assert.Throws<InvalidOptionsException>(fun () -> ImageCodec.encode catalog { maxOptions with RateLambda = bad } None (image 8 8 3) none |> ignore)
        Assert.Contains("--rate-lambda", e.Message)
