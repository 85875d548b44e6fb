/// The inputs of the golden .vqz files: fixed grids coded with the static models, no network.
module VqVae.Codec.Codec.Tests.GoldenCases

open System
open System.Text
open VqVae.Codec.Entropy
open VqVae.Codec.Format
open VqVae.Codec.Codec.Tests.TestData

type Case =
    {
        Name: string
        Header: VqzHeader
        Model: GridModel
        Grid: int[]
        Chunks: VqzChunk list
    }

let private digestOf (text: string) = Sha256Digest.Of(ReadOnlySpan(Encoding.UTF8.GetBytes text))

/// A dummy model file: compressible text, so the LZ4 path does real work.
let dummyModel (role: string) =
    Encoding.UTF8.GetBytes(String.Join("\n", [ for i in 0..63 -> $"{role} weight {i % 9} = {(i * 7919) % 1000}" ]))

let private header = vqzHeader

/// A skewed 512-bin histogram, like the code usage of a trained quantiser.
let unigramCounts = Array.init 512 (fun i -> int64 (100_000 / (i + 1)))

let private drawFrom (counts: int64[]) (rng: SplitMix) (n: int) =
    let total = Array.sum counts

    Array.init n (fun _ ->
        let mutable u = int64 (rng.Next() % uint64 total)
        let mutable s = 0

        while u >= counts[s] do
            u <- u - counts[s]
            s <- s + 1

        s)

let all: Case list =
    let staticTag name = ModelsTag.OfDigests(digestOf $"static:{name}:autoencoder", digestOf $"static:{name}:prior")
    let h1 = header 32 32 ColourModel.Grayscale Downsampling.By4 PriorTiling.WholeGrid (staticTag "uniform-512")
    let h2 = header 37 23 ColourModel.Rgb Downsampling.By4 PriorTiling.WholeGrid (staticTag "uniform-512")
    let h3 = header 293 181 ColourModel.Rgb Downsampling.By8 (PriorTiling.Tiles TileSide.Side8) (staticTag "unigram-512")
    let autoencoder, prior = dummyModel "autoencoder", dummyModel "prior"
    let embeddedTag = ModelsTag.OfDigests(Sha256Digest.Of(ReadOnlySpan autoencoder), Sha256Digest.Of(ReadOnlySpan prior))
    let h4 = header 37 23 ColourModel.Grayscale Downsampling.By16 (PriorTiling.Tiles TileSide.Side4) embeddedTag
    let uniform = GridModels.uniform 512
    let unigram = GridModels.unigram unigramCounts
    let grid (h: VqzHeader) (fill: int -> int[]) = fill (h.LatentWidth * h.LatentHeight)

    [
        {
            Name = "uniform-gray-32x32"
            Header = h1
            Model = uniform
            Grid = grid h1 (fun n -> let r = SplitMix 1UL in Array.init n (fun _ -> r.Below 512))
            Chunks = []
        }
        {
            Name = "uniform-rgb-37x23"
            Header = h2
            Model = uniform
            Grid = grid h2 (fun n -> let r = SplitMix 2UL in Array.init n (fun _ -> r.Below 512))
            Chunks = []
        }
        {
            Name = "unigram-rgb-293x181-tiles8"
            Header = h3
            Model = unigram
            Grid = grid h3 (drawFrom unigramCounts (SplitMix 3UL))
            Chunks =
                [
                    VqzChunk.Metadata [ { Key = "source"; Value = "golden test" }; { Key = "note"; Value = "Grüße, 37×23 latents" } ]
                    VqzChunk.ModelNames
                        [
                            { Role = ModelRole.Autoencoder; Name = "static-unigram-ae"; Digest = digestOf "static:unigram-512:autoencoder" }
                            { Role = ModelRole.Prior; Name = "static-unigram-prior"; Digest = digestOf "static:unigram-512:prior" }
                        ]
                ]
        }
        {
            Name = "uniform-gray-37x23-embedded"
            Header = h4
            Model = uniform
            Grid = grid h4 (fun n -> Array.init n (fun i -> (i * 97) % 512))
            Chunks =
                [
                    VqzChunk.ModelNames
                        [
                            { Role = ModelRole.Autoencoder; Name = "dummy-ae"; Digest = Sha256Digest.Of(ReadOnlySpan autoencoder) }
                            { Role = ModelRole.Prior; Name = "dummy-prior"; Digest = Sha256Digest.Of(ReadOnlySpan prior) }
                        ]
                    VqzChunk.EmbeddedModels
                        [
                            { Role = ModelRole.Autoencoder; Data = ReadOnlyMemory autoencoder }
                            { Role = ModelRole.Prior; Data = ReadOnlyMemory prior }
                        ]
                ]
        }
    ]

/// A grid as text: "height width" then one line of symbols per row.
let gridText (h: VqzHeader) (grid: int[]) =
    let w = h.LatentWidth
    let rows = [ for y in 0 .. h.LatentHeight - 1 -> String.Join(" ", grid[y * w .. y * w + w - 1]) ]
    $"{h.LatentHeight} {w}\n" + String.Join("\n", rows) + "\n"
