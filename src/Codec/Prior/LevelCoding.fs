namespace VqVae.Codec.Prior

open System
open System.Threading
open VqVae.Codec.Entropy

/// Coding the further levels of a grid (docs/levels.md §4.1): each level l >= 2 is one independent stream,
/// GridCoding with a CheckerboardLevelGridModel given the reconstruction of levels 1 .. l - 1.
[<RequireQualifiedAccess>]
module LevelCoding =
    /// Raises ArgumentException unless the prior fits the VQ-VAE's tables for levels 2 .. `levels`.
    let check (weights: CheckerboardLevelWeights) (tables: LevelTables) (levels: int) =
        if weights.LatentDim <> tables.LatentDim then
            invalidArg (nameof weights) $"the level prior reads D = {weights.LatentDim}, the VQ-VAE has D = {tables.LatentDim}"

        if levels < 1 || levels > tables.Levels then
            invalidArg (nameof levels) $"{levels} levels asked of a VQ-VAE with {tables.Levels}"

        if levels > weights.MaxLevel then
            invalidArg (nameof levels) $"the level prior codes levels up to {weights.MaxLevel}, not {levels}"

        for l in 2 .. levels do
            if weights.CodesOf l <> tables.Codes[l - 1] then
                invalidArg (nameof weights) $"level {l}: the prior has K = {weights.CodesOf l}, the VQ-VAE K = {tables.Codes[l - 1]}"

    /// The model coding level `level` (>= 2) once the grids of levels 1 .. level - 1 are known.
    let model (weights: CheckerboardLevelWeights) (tables: LevelTables) (threads: int) (shape: GridShape) (earlier: int[][]) (level: int) =
        check weights tables level
        CheckerboardLevelGridModel(weights, level, LevelContext.before tables shape.Count earlier level, threads)

    /// The streams of levels 2 .. n for the grids of levels 1 .. n (flat, raster order), one byte[] per level.
    let encodeLevels
        (weights: CheckerboardLevelWeights)
        (tables: LevelTables)
        (threads: int)
        (shape: GridShape)
        (grids: int[][])
        (cancellation: CancellationToken)
        : byte[][] =
        check weights tables grids.Length

        [| for level in 2 .. grids.Length ->
               cancellation.ThrowIfCancellationRequested()
               GridCoding.encodeGrid (model weights tables threads shape grids level) shape grids[level - 1] cancellation |]

    /// Decodes level earlier.Length + 1 from its stream, given the grids of the levels before it.
    let decodeLevel
        (weights: CheckerboardLevelWeights)
        (tables: LevelTables)
        (threads: int)
        (shape: GridShape)
        (earlier: int[][])
        (payload: ReadOnlyMemory<byte>)
        (cancellation: CancellationToken)
        : int[] =
        let level = earlier.Length + 1
        GridCoding.decodeGrid (model weights tables threads shape earlier level) shape payload cancellation

    /// The grids of levels 1 .. 1 + payloads.Length: level 1's grid, then each further level decoded in turn.
    let decodeLevels
        (weights: CheckerboardLevelWeights)
        (tables: LevelTables)
        (threads: int)
        (shape: GridShape)
        (level1: int[])
        (payloads: ReadOnlyMemory<byte>[])
        (cancellation: CancellationToken)
        : int[][] =
        check weights tables (1 + payloads.Length)
        let grids = ResizeArray<int[]>([ level1 ])

        for payload in payloads do
            grids.Add(decodeLevel weights tables threads shape (grids.ToArray()) payload cancellation)

        grids.ToArray()
