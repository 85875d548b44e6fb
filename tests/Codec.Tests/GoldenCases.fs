/// The inputs of the golden .vqz files: fixed grids, coded with the static model sets (spec §8.2) or
/// with the tiny models of the golden folder (GoldenModels). tests/data/golden/README.md describes them.
module VqVae.Codec.Codec.Tests.GoldenCases

open System
open System.Text
open VqVae.Codec.Entropy
open VqVae.Codec.Format
open VqVae.Codec.Prior
open VqVae.Codec.Codec.Tests.TestData

type Case =
    {
        Name: string
        Header: VqzHeader
        /// A fresh model of the grid (the gated PixelCNN's is stateful: one per grid coded).
        Model: unit -> GridModel
        /// What codes the grid: the model files in the golden folder, or the static set.
        Coding: string
        /// The code grids of its levels, level 1 first (one for a file without LEVELS, spec §4.6).
        Grids: int[] list
        /// What codes levels 2 .. n: the level prior's weights and the VQ-VAE's level tables (spec/prior.md §6).
        LevelCoding: (unit -> CheckerboardLevelWeights * LevelTables) option
        Chunks: VqzChunk list
    }

    /// The level-1 grid.
    member this.Grid = this.Grids.Head

let private digestOf (text: string) = Sha256Digest.Of(ReadOnlySpan(Encoding.UTF8.GetBytes text))

/// A dummy model file: compressible text, so the LZ4 path does real work.
let dummyModel (role: string) =
    Encoding.UTF8.GetBytes(String.Join("\n", [ for i in 0..63 -> $"{role} weight {i % 9} = {(i * 7919) % 1000}" ]))

let private header = vqzHeader

/// A skewed 512-bin histogram, like the code usage of a trained quantiser: the static set unigram-512.
let unigramCounts = GoldenModels.unigram512Counts

let private drawFrom (counts: int64[]) (rng: SplitMix) (n: int) =
    let total = Array.sum counts

    Array.init n (fun _ ->
        let mutable u = int64 (rng.Next() % uint64 total)
        let mutable s = 0

        while u >= counts[s] do
            u <- u - counts[s]
            s <- s + 1

        s)

/// The names of the golden .vqz files (without extension).
let names =
    [
        "uniform-gray-32x32"
        "uniform-rgb-37x23"
        "unigram-rgb-293x181-tiles8"
        "uniform-gray-37x23-embedded"
        "tiny-gated-rgb-32x32"
        "tiny-gated-gray-481x321-tiles32"
        "tiny-unigram-rgb-64x48"
        "tiny-uniform-gray-20x12"
        "tiny-uniform-rgb-16x16-embedded-prior"
        "tiny-gated-rgb-96x72-tiles8-gridcrc"
        "tiny-levels-gated-rgb-40x32-tiles8-3levels"
        "tiny-levels-unigram-gray-37x29-3levels-gridcrc"
        "tiny-levels-uniform-rgb-24x20-2levels"
    ]

let private modelNames (vqvae: string) (prior: string) =
    VqzChunk.ModelNames
        [
            { Role = ModelRole.Autoencoder; Name = (GoldenModels.source vqvae).Name; Digest = (GoldenModels.source vqvae).Digest }
            { Role = ModelRole.Prior; Name = (GoldenModels.source prior).Name; Digest = (GoldenModels.source prior).Digest }
        ]

let private build () : Case list =
    let staticTag name = StaticModelSet.tag name
    let h1 = header 32 32 ColourModel.Grayscale Downsampling.By4 PriorTiling.WholeGrid (staticTag "uniform-512")
    let h2 = header 37 23 ColourModel.Rgb Downsampling.By4 PriorTiling.WholeGrid (staticTag "uniform-512")
    let h3 = header 293 181 ColourModel.Rgb Downsampling.By8 (PriorTiling.Tiles TileSide.Side8) (staticTag "unigram-512")
    let autoencoder, prior = dummyModel "autoencoder", dummyModel "prior"
    let embeddedTag = ModelsTag.OfDigests(Sha256Digest.Of(ReadOnlySpan autoencoder), Sha256Digest.Of(ReadOnlySpan prior))
    let h4 = header 37 23 ColourModel.Grayscale Downsampling.By16 (PriorTiling.Tiles TileSide.Side4) embeddedTag
    let uniform () = GridModels.uniform 512 :> GridModel
    let unigram () = GridModels.unigram unigramCounts :> GridModel
    let tinyTag = GoldenModels.tag "tiny-f4.vqm"
    let h5 = header 32 32 ColourModel.Rgb Downsampling.By4 PriorTiling.WholeGrid (tinyTag "tiny-f4-gated.vqp")
    let h6 = header 481 321 ColourModel.Grayscale Downsampling.By4 (PriorTiling.Tiles TileSide.Side32) (tinyTag "tiny-f4-gated.vqp")
    let h7 = header 64 48 ColourModel.Rgb Downsampling.By4 PriorTiling.WholeGrid (tinyTag "tiny-f4-unigram.vqp")
    let h8 = header 20 12 ColourModel.Grayscale Downsampling.By4 PriorTiling.WholeGrid (tinyTag "tiny-f4-uniform.vqp")
    let h9 = header 16 16 ColourModel.Rgb Downsampling.By4 PriorTiling.WholeGrid (tinyTag "tiny-f4-uniform.vqp")
    // Format 1.1: a GRID-CHECKSUM chunk (spec §4.5) makes the version byte 0x11.
    let h10 = { header 96 72 ColourModel.Rgb Downsampling.By4 (PriorTiling.Tiles TileSide.Side8) (tinyTag "tiny-f4-gated.vqp") with Version = FormatVersions.V1_1 }
    // Code levels (spec §4.6): LEVELS makes the version byte 0x11; the tag covers the level prior too.
    let levelsTag prior = GoldenModels.levelsTag "tiny-levels.vqm" prior "tiny-levels.vql"
    let v11 (h: VqzHeader) = { h with Version = FormatVersions.V1_1 }
    let h11 = v11 (header 40 32 ColourModel.Rgb Downsampling.By4 (PriorTiling.Tiles TileSide.Side8) (levelsTag "tiny-levels-gated.vqp"))
    let h12 = v11 (header 37 29 ColourModel.Grayscale Downsampling.By4 PriorTiling.WholeGrid (levelsTag "tiny-levels-unigram.vqp"))
    let h13 = v11 (header 24 20 ColourModel.Rgb Downsampling.By4 PriorTiling.WholeGrid (levelsTag "tiny-levels-uniform.vqp"))
    let levelCoding () = GoldenModels.levelCoding "tiny-levels.vqm" "tiny-levels.vql"
    let levelsUnigramCounts = (GoldenModels.prior "tiny-levels-unigram.vqp").Prior :?> VqVae.Codec.Models.Priors.StaticPrior |> _.Counts
    let tinyUnigramCounts = (GoldenModels.prior "tiny-f4-unigram.vqp").Prior :?> VqVae.Codec.Models.Priors.StaticPrior |> _.Counts
    let grid (h: VqzHeader) (fill: int -> int[]) = fill (h.LatentWidth * h.LatentHeight)

    [
        {
            Name = "uniform-gray-32x32"
            Header = h1
            Model = uniform
            Coding = "static set uniform-512 (uniform-512.vqp)"
            Grids = [ grid h1 (fun n -> let r = SplitMix 1UL in Array.init n (fun _ -> r.Below 512)) ]
            LevelCoding = None
            Chunks = []
        }
        {
            Name = "uniform-rgb-37x23"
            Header = h2
            Model = uniform
            Coding = "static set uniform-512 (uniform-512.vqp)"
            Grids = [ grid h2 (fun n -> let r = SplitMix 2UL in Array.init n (fun _ -> r.Below 512)) ]
            LevelCoding = None
            Chunks = []
        }
        {
            Name = "unigram-rgb-293x181-tiles8"
            Header = h3
            Model = unigram
            Coding = "static set unigram-512 (unigram-512.vqp)"
            Grids = [ grid h3 (drawFrom unigramCounts (SplitMix 3UL)) ]
            LevelCoding = None
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
            Coding = "uniform K = 512 (the models tag is that of the two embedded dummy texts, which are no model files)"
            Grids = [ grid h4 (fun n -> Array.init n (fun i -> (i * 97) % 512)) ]
            LevelCoding = None
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
        {
            Name = "tiny-gated-rgb-32x32"
            Header = h5
            Model = fun () -> GoldenModels.gridModel "tiny-f4-gated.vqp" 0
            Coding = "tiny-f4.vqm + tiny-f4-gated.vqp"
            Grids = [ grid h5 (fun n -> let r = SplitMix 5UL in Array.init n (fun _ -> r.Below 32)) ]
            LevelCoding = None
            Chunks = [ modelNames "tiny-f4.vqm" "tiny-f4-gated.vqp" ]
        }
        {
            Name = "tiny-gated-gray-481x321-tiles32"
            Header = h6
            Model = fun () -> GoldenModels.gridModel "tiny-f4-gated.vqp" 32
            Coding = "tiny-f4.vqm + tiny-f4-gated.vqp"
            Grids = [ grid h6 (fun n -> let r = SplitMix 6UL in Array.init n (fun _ -> r.Below 32)) ]
            LevelCoding = None
            Chunks = []
        }
        {
            Name = "tiny-unigram-rgb-64x48"
            Header = h7
            Model = fun () -> GoldenModels.gridModel "tiny-f4-unigram.vqp" 0
            Coding = "tiny-f4.vqm + tiny-f4-unigram.vqp"
            Grids = [ grid h7 (drawFrom tinyUnigramCounts (SplitMix 7UL)) ]
            LevelCoding = None
            Chunks = [ modelNames "tiny-f4.vqm" "tiny-f4-unigram.vqp" ]
        }
        {
            Name = "tiny-uniform-gray-20x12"
            Header = h8
            Model = fun () -> GoldenModels.gridModel "tiny-f4-uniform.vqp" 0
            Coding = "tiny-f4.vqm + tiny-f4-uniform.vqp"
            Grids = [ grid h8 (fun n -> let r = SplitMix 8UL in Array.init n (fun _ -> r.Below 32)) ]
            LevelCoding = None
            Chunks = []
        }
        {
            Name = "tiny-uniform-rgb-16x16-embedded-prior"
            Header = h9
            Model = fun () -> GoldenModels.gridModel "tiny-f4-uniform.vqp" 0
            Coding = "tiny-f4.vqm (installed) + tiny-f4-uniform.vqp (embedded)"
            Grids = [ grid h9 (fun n -> let r = SplitMix 9UL in Array.init n (fun _ -> r.Below 32)) ]
            LevelCoding = None
            Chunks =
                [
                    modelNames "tiny-f4.vqm" "tiny-f4-uniform.vqp"
                    VqzChunk.EmbeddedModels [ { Role = ModelRole.Prior; Data = ReadOnlyMemory(GoldenModels.file "tiny-f4-uniform.vqp") } ]
                ]
        }
        let g10 = grid h10 (fun n -> let r = SplitMix 10UL in Array.init n (fun _ -> r.Below 32))
        {
            Name = "tiny-gated-rgb-96x72-tiles8-gridcrc"
            Header = h10
            Model = fun () -> GoldenModels.gridModel "tiny-f4-gated.vqp" 8
            Coding = "tiny-f4.vqm + tiny-f4-gated.vqp, with the grid's CRC-32C (format 1.1)"
            Grids = [ g10 ]
            LevelCoding = None
            Chunks = [ VqzChunk.GridChecksum(GridChecksum.compute [ g10 ]) ]
        }
        // Levels 2 and 3 have K = 16 and 12 (tiny-levels.vqm).
        let codes (h: VqzHeader) (seed: uint64) (k: int) = grid h (fun n -> let r = SplitMix seed in Array.init n (fun _ -> r.Below k))
        {
            Name = "tiny-levels-gated-rgb-40x32-tiles8-3levels"
            Header = h11
            Model = fun () -> GoldenModels.gridModel "tiny-levels-gated.vqp" 8
            Coding = "tiny-levels.vqm + tiny-levels-gated.vqp (level 1) + tiny-levels.vql (levels 2, 3)"
            Grids = [ codes h11 11UL 32; codes h11 111UL 16; codes h11 1111UL 12 ]
            LevelCoding = Some levelCoding
            Chunks =
                [
                    VqzChunk.ModelNames
                        [
                            for role, file in [ ModelRole.Autoencoder, "tiny-levels.vqm"; ModelRole.Prior, "tiny-levels-gated.vqp"; ModelRole.LevelPrior, "tiny-levels.vql" ] ->
                                let s = GoldenModels.source file
                                { Role = role; Name = s.Name; Digest = s.Digest }
                        ]
                ]
        }
        let g12 = [ grid h12 (drawFrom levelsUnigramCounts (SplitMix 12UL)); codes h12 112UL 16; codes h12 1112UL 12 ]
        {
            Name = "tiny-levels-unigram-gray-37x29-3levels-gridcrc"
            Header = h12
            Model = fun () -> GoldenModels.gridModel "tiny-levels-unigram.vqp" 0
            Coding = "tiny-levels.vqm + tiny-levels-unigram.vqp (level 1) + tiny-levels.vql (levels 2, 3), with the CRC-32C of the three grids"
            Grids = g12
            LevelCoding = Some levelCoding
            Chunks = [ VqzChunk.GridChecksum(GridChecksum.compute g12) ]
        }
        {
            Name = "tiny-levels-uniform-rgb-24x20-2levels"
            Header = h13
            Model = fun () -> GoldenModels.gridModel "tiny-levels-uniform.vqp" 0
            Coding = "tiny-levels.vqm + tiny-levels-uniform.vqp (level 1) + tiny-levels.vql (level 2)"
            Grids = [ codes h13 13UL 32; codes h13 113UL 16 ]
            LevelCoding = Some levelCoding
            Chunks = []
        }
    ]

let private cases = lazy (build ())

/// Every golden case (loads the golden model files on first use).
let all () = cases.Value

/// A grid as text: "height width" then one line of symbols per row.
let gridText (h: VqzHeader) (grid: int[]) =
    let w = h.LatentWidth
    let rows = [ for y in 0 .. h.LatentHeight - 1 -> String.Join(" ", grid[y * w .. y * w + w - 1]) ]
    $"{h.LatentHeight} {w}\n" + String.Join("\n", rows) + "\n"

/// The names of a file's grid texts, level 1 first: `<name>.grid.txt` for one level, else
/// `<name>.level<l>.grid.txt` for l = 1 .. n.
let gridNames (name: string) (levels: int) =
    if levels = 1 then [ $"{name}.grid.txt" ] else [ for l in 1..levels -> $"{name}.level{l}.grid.txt" ]
