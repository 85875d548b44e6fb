namespace VqVae.Codec.Entropy

open System
open System.Threading

/// Coding a grid of symbols with a GridModel (spec §8): the payload holds the symbols in the order of
/// the flattened steps, range-coded (spec §5).
[<RequireQualifiedAccess>]
module GridCoding =
    let private checkShape (shape: GridShape) =
        if shape.Height < 1 || shape.Width < 1 || int64 shape.Height * int64 shape.Width > int64 Int32.MaxValue then
            invalidArg (nameof shape) $"a grid of {shape.Height} x {shape.Width} cannot be coded"

    /// The model's steps, checked to be a permutation of the positions.
    let internal checkedSteps (model: GridModel) (shape: GridShape) =
        let steps = model.Steps shape
        let seen = Array.zeroCreate<bool> shape.Count
        let mutable total = 0

        for step in steps do
            for p in step do
                if uint p >= uint shape.Count || seen[p] then
                    invalidOp $"the model's steps are not a permutation of 0 .. {shape.Count - 1} (position {p})"

                seen[p] <- true
                total <- total + 1

        if total <> shape.Count then
            invalidOp $"the model's steps cover {total} of {shape.Count} positions"

        steps

    let internal checkTables (model: GridModel) (t: FrequencyTables) (expected: int) (what: string) =
        if t.Alphabet <> model.Alphabet || (t.Count <> expected && t.Count <> 1) then
            invalidOp $"{what}: the model gave {t.Count} table(s) of {t.Alphabet} symbols, expected {expected} (or 1) of {model.Alphabet}"

    /// Raises ArgumentException unless `grid` has shape.Count symbols, each < alphabet.
    let internal checkSymbols (alphabet: int) (shape: GridShape) (grid: int[]) =
        if grid.Length <> shape.Count then
            invalidArg (nameof grid) $"the grid has {grid.Length} symbols, the shape {shape.Count}"

        for p in 0 .. grid.Length - 1 do
            if uint grid[p] >= uint alphabet then
                invalidArg (nameof grid) $"symbol {grid[p]} at position {p} is outside the alphabet of {alphabet}"

    /// Encodes a grid of `shape` given each position's coding interval (start, frequency in a checked
    /// table), in the order of `steps`: the bytes encodeGrid gives with the tables the intervals came from.
    let internal encodeIntervals (shape: GridShape) (steps: int[][]) (intervals: struct (int * int)[]) (cancellation: CancellationToken) : byte[] =
        checkShape shape
        let encoder = RangeEncoder(shape.Count + 16)

        for step in steps do
            cancellation.ThrowIfCancellationRequested()

            for p in step do
                let struct (start, frequency) = intervals[p]
                encoder.EncodeInterval(start, frequency)

        encoder.Finish()

    /// Encodes a grid (flat, raster order) of symbols < model.Alphabet.
    let encodeGrid (model: GridModel) (shape: GridShape) (grid: int[]) (cancellation: CancellationToken) : byte[] =
        checkShape shape

        checkSymbols model.Alphabet shape grid
        let steps = checkedSteps model shape
        let tables = model.TablesForAll(grid, shape)
        checkTables model tables shape.Count "TablesForAll"
        let shared = tables.Count = 1
        let encoder = RangeEncoder(grid.Length + 16)

        for step in steps do
            cancellation.ThrowIfCancellationRequested()

            for p in step do
                encoder.Encode(tables, (if shared then 0 else p), grid[p])

        encoder.Finish()

    /// Decodes a grid of `shape` from a payload. Raises VqzFormatException (path "payload", offset
    /// within the payload) for a payload no encoder could have produced for this model.
    let decodeGrid (model: GridModel) (shape: GridShape) (payload: ReadOnlyMemory<byte>) (cancellation: CancellationToken) : int[] =
        checkShape shape
        let steps = checkedSteps model shape
        let grid = Array.zeroCreate<int> shape.Count
        let decoder = RangeDecoder payload

        for i in 0 .. steps.Length - 1 do
            let step = steps[i]
            cancellation.ThrowIfCancellationRequested()

            // An empty step codes nothing; its tables are not asked for (spec §8.1).
            if step.Length > 0 then
                let tables = model.TablesForStep(grid, shape, i)
                checkTables model tables step.Length $"TablesForStep {i}"
                let shared = tables.Count = 1

                for j in 0 .. step.Length - 1 do
                    grid[step[j]] <- decoder.Decode(tables, (if shared then 0 else j))

        decoder.Finish()
        grid
