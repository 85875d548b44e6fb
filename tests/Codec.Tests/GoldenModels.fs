/// The model files of the golden folder: the static model sets of spec §8.2 (uniform-512, unigram-512)
/// and the tiny models that code the conformance vectors (tiny-levels with its level prior: the files with code levels). They are inputs, not snapshots: read from
/// the folder, and written (from the seeded generators below) only when accepting and missing, so the
/// golden .vqz files never depend on how this machine's TorchSharp initialises a network.
module VqVae.Codec.Codec.Tests.GoldenModels

open System
open System.Collections.Concurrent
open System.Text.Json.Nodes
open VqVae.Codec.Format
open VqVae.Codec.Models.Files
open VqVae.Codec.Models.Priors
open VqVae.Codec.Pipeline
open VqVae.Codec.Prior

/// The histogram of the static set unigram-512: floor(100000 / (s + 1)) for s = 0 .. 511 (spec §8.2).
let unigram512Counts = Array.init 512 (fun s -> int64 (100_000 / (s + 1)))

let private training () =
    let t = JsonObject()
    t["purpose"] <- JsonValue.Create "conformance vectors: tests/data/golden/README.md"
    t

let private staticPrior (name: string) (kind: PriorKind) (counts: int64[] option) =
    let a = PriorArchitecture(Kind = kind, CodebookSize = 512)
    use prior = PriorFactory.Create(a, Option.toObj counts)
    let vqvae = (StaticModelSet.digest name ModelRole.Autoencoder).ToArray()
    PriorModel.ToFile(prior, name, vqvae, training ()).ToBytes()

let private tinyVqVae = lazy (Golden.input "tiny-f4.vqm" (fun () -> TinyModels.vqvaeBytes 1L 4))

let private levelsVqVae = lazy (Golden.input "tiny-levels.vqm" (fun () -> TinyModels.levelsVqVaeBytes 21L "tiny-levels"))

let private makers: (string * (unit -> byte[])) list =
    [
        "uniform-512.vqp", (fun () -> staticPrior "uniform-512" PriorKind.Uniform None)
        "unigram-512.vqp", (fun () -> staticPrior "unigram-512" PriorKind.Unigram (Some unigram512Counts))
        "tiny-f4.vqm", (fun () -> tinyVqVae.Value)
        "tiny-f4-gated.vqp", (fun () -> TinyModels.priorBytes 2L PriorKind.GatedPixelCnn tinyVqVae.Value)
        "tiny-f4-unigram.vqp", (fun () -> TinyModels.priorBytes 3L PriorKind.Unigram tinyVqVae.Value)
        "tiny-f4-uniform.vqp", (fun () -> TinyModels.priorBytes 4L PriorKind.Uniform tinyVqVae.Value)
        "tiny-levels.vqm", (fun () -> levelsVqVae.Value)
        "tiny-levels-gated.vqp", (fun () -> TinyModels.namedPriorBytes "tiny-levels-gated-pixelcnn" 22L PriorKind.GatedPixelCnn levelsVqVae.Value)
        "tiny-levels-unigram.vqp", (fun () -> TinyModels.namedPriorBytes "tiny-levels-unigram" 23L PriorKind.Unigram levelsVqVae.Value)
        "tiny-levels-uniform.vqp", (fun () -> TinyModels.namedPriorBytes "tiny-levels-uniform" 24L PriorKind.Uniform levelsVqVae.Value)
        "tiny-levels.vql", (fun () -> TinyModels.levelPriorBytes 25L "tiny-levels-level-prior" levelsVqVae.Value)
    ]

/// The names of the golden model files.
let names = makers |> List.map fst

let private bytes = ConcurrentDictionary<string, Lazy<byte[]>>()

/// The bytes of golden model file `name`.
let file (name: string) =
    let make = makers |> List.find (fun (n, _) -> n = name) |> snd
    bytes.GetOrAdd(name, fun _ -> lazy (Golden.input name make)).Value

/// The model source of golden model file `name` (its name, kind and digest).
let source (name: string) = ModelSource.ofBytes name false (file name)

let private priors = ConcurrentDictionary<string, Lazy<PriorModel>>()

/// The prior of golden model file `name` (loaded once per test run).
let prior (name: string) =
    priors
        .GetOrAdd(
            name,
            fun _ ->
                lazy
                    (let s = source name
                     PriorModel.FromFile(ModelFile.Parse(ReadOnlySpan s.Bytes, name), s.Digest.ToArray(), name))
        )
        .Value

/// A fresh grid model of the prior in golden model file `name`, with prior tiles of `tileSide` (0: whole grid).
let gridModel (name: string) (tileSide: int) =
    let p = prior name
    (PriorCoding.gridModel p.Prior (PriorCoding.gatedWeights p.Prior) tileSide 1).Value

/// The models tag of the golden VQ-VAE file `vqvae` and prior file `prior`.
let tag (vqvae: string) (prior: string) = ModelsTag.OfDigests((source vqvae).Digest, (source prior).Digest)

/// The models tag of the golden VQ-VAE file `vqvae`, prior file `prior` and level prior file `levelPrior`
/// (a file with code levels, spec §3.6).
let levelsTag (vqvae: string) (prior: string) (levelPrior: string) =
    ModelsTag.OfDigests((source vqvae).Digest, (source prior).Digest, (source levelPrior).Digest)

let private levelCodings = ConcurrentDictionary<string, Lazy<CheckerboardLevelWeights * LevelTables>>()

/// The level prior's weights in golden model file `levelPrior` and the level tables of the VQ-VAE in
/// `vqvae` (what codes levels 2 and up, spec/prior.md §6), checked against each other as a decoder does.
let levelCoding (vqvae: string) (levelPrior: string) =
    levelCodings
        .GetOrAdd(
            $"{vqvae}+{levelPrior}",
            fun _ ->
                lazy
                    (let v = source vqvae
                     let l = source levelPrior
                     use network = VqVaeModel.FromFile(ModelFile.Parse(ReadOnlySpan v.Bytes, vqvae), v.Digest.ToArray(), vqvae)
                     use prior = CheckerboardLevelModel.FromFile(ModelFile.Parse(ReadOnlySpan l.Bytes, levelPrior), l.Digest.ToArray(), levelPrior)
                     let weights = CheckerboardLevelWeights.ofPrior prior.Prior
                     let tables = LevelContext.ofNetwork network.Network
                     LevelCoding.check weights tables (min weights.MaxLevel tables.Levels)
                     weights, tables)
        )
        .Value
