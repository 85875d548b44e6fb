namespace VqVae.Codec.Pipeline

open System
open System.Threading
open VqVae.Codec.Entropy
open VqVae.Codec.Models.Priors
open VqVae.Codec.Prior

/// Range coding of code grids with a prior (spec §8, spec/prior.md): the exact grid model of a prior,
/// and batched coding of many grids of one shape (the gated PixelCNN evaluates them together).
[<RequireQualifiedAccess>]
module PriorCoding =
    /// A grid model that hands the coder tables computed beforehand (batched encoding).
    type private Precomputed(alphabet: int, steps: int[][], tables: FrequencyTables) =
        inherit GridModel()
        override _.Alphabet = alphabet
        override _.Steps _ = steps
        override _.TablesForStep(_, _, _) = invalidOp "precomputed tables serve the encoder only"
        override _.TablesForAll(_, _) = tables

    /// Most codes the gated PixelCNN evaluates together: it keeps about 13 KB of activations and logits
    /// per code (default size), so a batch stays near 200 MB: 256 thumbnails of 8 x 8 codes, or one photo.
    [<Literal>]
    let MaxBatchCodes = 16384

    /// Grids of `shape` per batch: up to 256, within MaxBatchCodes, at least one (the rule the
    /// trainer's batches follow, with this evaluator's budget).
    let gridsPerBatch (shape: GridShape) = CodeGridSet.BatchFor(shape.Width, shape.Height, 256, MaxBatchCodes)

    /// The gated PixelCNN's weights, when the prior is one.
    let gatedWeights (prior: Prior) =
        match prior with
        | :? GatedPixelCnnPrior as gated -> Some(GatedPixelCnnWeights.ofPrior gated)
        | _ -> None

    /// A fresh conditional model of one grid: the deterministic gated PixelCNN, or the static unigram or
    /// uniform table; None for priors without a bit-exact evaluator (MADE, plain PixelCNN).
    let gridModel (prior: Prior) (weights: GatedPixelCnnWeights option) (tileSide: int) (threads: int) : GridModel option =
        match prior, weights with
        | _, Some w -> Some(GatedPixelCnnGridModel(w, tileSide, threads) :> GridModel)
        | (:? StaticPrior as s), _ when s.Architecture.Kind = PriorKind.Unigram -> Some(GridModels.unigram s.Counts :> GridModel)
        | (:? StaticPrior as s), _ -> Some(GridModels.uniform s.Architecture.CodebookSize :> GridModel)
        | _ -> None

    /// Payloads of grids of one shape (the gated PixelCNN evaluates them in batches of gridsPerBatch).
    let encodeGrids (prior: Prior) (weights: GatedPixelCnnWeights option) (tileSide: int) (threads: int) (shape: GridShape) (grids: int[][]) (cancel: CancellationToken) =
        match weights with
        | Some w ->
            let steps = Tiling.steps tileSide shape.Height shape.Width

            grids
            |> Array.chunkBySize (gridsPerBatch shape)
            |> Array.collect (fun batch ->
                let logits = GatedPixelCnnBatch.logitsForAll w tileSide threads shape batch

                Array.map2
                    (fun (grid: int[]) (l: float32[]) ->
                        let tables = FrequencyTable.ofLogitsBatch w.Codes (ReadOnlyMemory l)
                        GridCoding.encodeGrid (Precomputed(w.Codes, steps, tables)) shape grid cancel)
                    batch
                    logits)
        | None ->
            match gridModel prior None tileSide threads with
            | Some _ -> grids |> Array.map (fun grid -> GridCoding.encodeGrid (gridModel prior None tileSide threads).Value shape grid cancel)
            | None -> invalidOp $"a {PriorArchitecture.NameOf prior.Architecture.Kind} prior cannot code (no bit-exact evaluator)"

    /// Grids of one shape from their payloads; the gated PixelCNN decodes them in lockstep.
    let decodeGrids (prior: Prior) (weights: GatedPixelCnnWeights option) (tileSide: int) (threads: int) (shape: GridShape) (payloads: ReadOnlyMemory<byte>[]) (cancel: CancellationToken) =
        match weights with
        | Some w ->
            payloads
            |> Array.chunkBySize (gridsPerBatch shape)
            |> Array.collect (fun batch -> GatedPixelCnnBatch.decodeGrids w tileSide threads shape batch cancel)
        | None ->
            match gridModel prior None tileSide threads with
            | Some _ -> payloads |> Array.map (fun p -> GridCoding.decodeGrid (gridModel prior None tileSide threads).Value shape p cancel)
            | None -> invalidOp $"a {PriorArchitecture.NameOf prior.Architecture.Kind} prior cannot code (no bit-exact evaluator)"
