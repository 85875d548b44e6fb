namespace VqVae.Codec.Entropy

open System

/// The size of a latent grid; positions are flat raster indices y × Width + x.
[<Struct>]
type GridShape =
    {
        /// Rows, >= 1.
        Height: int
        /// Columns, >= 1.
        Width: int
    }

    /// Height × Width.
    member this.Count = this.Height * this.Width

/// A conditional model of a grid of symbols (spec §8). It declares a coding order as steps: each step
/// is a set of flat positions whose tables depend only on the symbols at positions of earlier steps.
/// The model, not the coder, guarantees that TablesForAll and TablesForStep give identical tables
/// (GridModelCheck.check tests this for a model).
[<AbstractClass>]
type GridModel() =
    /// Number of symbols K; every table has this alphabet.
    abstract Alphabet: int

    /// The coding order: the steps, together a permutation of 0 .. Count - 1.
    abstract Steps: shape: GridShape -> int[][]

    /// Decoder: the tables of step `step`, row j for position Steps(shape)[step][j], or a single table
    /// for every position of the step. Never called for an empty step. `grid` holds the symbols of all earlier steps; its other
    /// entries are unspecified and must not be read.
    abstract TablesForStep: grid: int[] * shape: GridShape * step: int -> FrequencyTables

    /// Encoder: the tables of every position when all symbols are known, row p for flat position p
    /// (Count rows), or a single table for every position. The default runs TablesForStep step by step.
    abstract TablesForAll: grid: int[] * shape: GridShape -> FrequencyTables

    default this.TablesForAll(grid, shape) =
        let k = this.Alphabet
        let stride = k + 1
        let data = Array.zeroCreate<int> (shape.Count * stride)
        let filled = Array.zeroCreate<bool> shape.Count
        let steps = this.Steps shape

        for step in steps do
            for p in step do
                if uint p >= uint shape.Count || filled[p] then
                    invalidOp $"the model's steps are not a permutation of 0 .. {shape.Count - 1} (position {p})"

                filled[p] <- true

        if Array.contains false filled then
            invalidOp "the model's steps do not cover every position"

        for i in 0 .. steps.Length - 1 do
            let positions = steps[i]

            if positions.Length > 0 then
                let t = this.TablesForStep(grid, shape, i)

                if t.Alphabet <> k || (t.Count <> positions.Length && t.Count <> 1) then
                    invalidOp $"step {i}: {t.Count} table(s) of {t.Alphabet} symbols for {positions.Length} positions of {k}"

                for j in 0 .. positions.Length - 1 do
                    let row = if t.Count = 1 then 0 else j
                    t.Cumulative.Slice(row * stride, stride).CopyTo(Span(data, positions[j] * stride, stride))

        FrequencyTables(k, shape.Count, data)

/// A model with one table for every position and a single step in raster order (spec §8.2).
[<Sealed>]
type StaticGridModel(table: FrequencyTables) =
    inherit GridModel()

    do
        if table.Count <> 1 then
            invalidArg (nameof table) "a static model has exactly one table"

    /// The table of every position.
    member _.Table = table
    override _.Alphabet = table.Alphabet
    override _.Steps shape = [| Array.init shape.Count id |]
    override _.TablesForStep(_, _, _) = table
    override _.TablesForAll(_, _) = table

/// The static models (spec §8.2).
[<RequireQualifiedAccess>]
module GridModels =
    /// Every symbol of `alphabet` equally likely.
    let uniform (alphabet: int) = StaticGridModel(FrequencyTable.uniform alphabet)

    /// One table from a K-entry histogram, by the rounding rule of spec §6.3.
    let unigram (counts: int64[]) = StaticGridModel(FrequencyTable.ofCounts counts)
