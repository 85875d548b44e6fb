namespace VqVae.Codec.Pipeline

open System
open System.Runtime.ExceptionServices
open System.Threading
open System.Threading.Tasks
open VqVae.Codec.Entropy
open VqVae.Codec.Models.Priors
open VqVae.Codec.Prior

/// Range coding of code grids with a prior (spec §8, spec/prior.md): the exact grid model of a prior,
/// and batched coding of many grids of one shape (the gated PixelCNN evaluates them together).
[<RequireQualifiedAccess>]
module PriorCoding =
    /// Most codes the gated PixelCNN evaluates together: it keeps about 13 KB of activations and logits
    /// per code (default size), so a batch stays near 200 MB: 256 thumbnails of 8 x 8 codes, or one photo.
    [<Literal>]
    let MaxBatchCodes = 16384

    /// Grids of `shape` per batch: up to 256, within MaxBatchCodes, at least one (the rule the
    /// trainer's batches follow, with this evaluator's budget).
    let gridsPerBatch (shape: GridShape) = CodeGridSet.BatchFor(shape.Width, shape.Height, 256, MaxBatchCodes)

    /// Fewest grids of a batch per thread for the batch to be split between threads (see inParts).
    [<Literal>]
    let MinGridsPerThread = 8

    /// `run threads items`, or, for a batch of many grids, `run 1 part` on each of `threads` contiguous
    /// parts at once, the results in order. Each part then runs on one thread without the hand-offs
    /// between threads of every layer and step of one shared evaluation, which left one core idle much of
    /// the time on batches of thumbnails; a few large grids keep one evaluation whose rows are split between
    /// the threads. Which grids are evaluated together changes no value (Dense.apply), so no byte. A failure
    /// is the first part's, as the whole batch would report it.
    let private inParts (threads: int) (items: 'T[]) (run: int -> 'T[] -> 'U[]) : 'U[] =
        if threads <= 1 || items.Length < threads * MinGridsPerThread then
            run threads items
        else
            let parts = Array.splitInto threads items
            let results = Array.zeroCreate<'U[]> parts.Length
            let failures: ExceptionDispatchInfo option[] = Array.create parts.Length None

            Parallel.For(0, parts.Length, ParallelOptions(MaxDegreeOfParallelism = threads), fun p ->
                try
                    results[p] <- run 1 parts[p]
                with e ->
                    failures[p] <- Some(ExceptionDispatchInfo.Capture e))
            |> ignore

            match Array.tryPick id failures with
            | Some f -> f.Throw(); Unchecked.defaultof<_>
            | None -> Array.concat results

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

    /// Payloads of grids of one shape (the gated PixelCNN evaluates their tiles in groups of at most
    /// MaxBatchCodes codes and keeps only each code's coding interval, so a photo's memory does not grow
    /// with its logits).
    let encodeGrids (prior: Prior) (weights: GatedPixelCnnWeights option) (tileSide: int) (threads: int) (shape: GridShape) (grids: int[][]) (cancel: CancellationToken) =
        match weights with
        | Some w ->
            for grid in grids do
                GridCoding.checkSymbols w.Codes shape grid

            let steps = Tiling.steps tileSide shape.Height shape.Width

            grids
            |> Array.chunkBySize (gridsPerBatch shape)
            |> Array.collect (fun batch ->
                inParts threads batch (fun threads part ->
                    GatedPixelCnnBatch.intervalsForAll w tileSide threads MaxBatchCodes shape part
                    |> Array.map (fun intervals -> GridCoding.encodeIntervals shape steps intervals cancel)))
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
            |> Array.collect (fun batch -> inParts threads batch (fun threads part -> GatedPixelCnnBatch.decodeGrids w tileSide threads shape part cancel))
        | None ->
            match gridModel prior None tileSide threads with
            | Some _ -> payloads |> Array.map (fun p -> GridCoding.decodeGrid (gridModel prior None tileSide threads).Value shape p cancel)
            | None -> invalidOp $"a {PriorArchitecture.NameOf prior.Architecture.Kind} prior cannot code (no bit-exact evaluator)"
