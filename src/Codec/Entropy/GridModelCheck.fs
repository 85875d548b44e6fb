namespace VqVae.Codec.Entropy

open System

/// Checks the contract of a GridModel that the coder relies on but cannot enforce (spec §8.1).
[<RequireQualifiedAccess>]
module GridModelCheck =
    /// The problems found for `grid` (empty when none): steps that are not a permutation, tables of the
    /// wrong size, and any position whose TablesForStep row differs from its TablesForAll row when the
    /// positions of the current and later steps hold other symbols than `grid`'s (a model that reads
    /// them would decode differently from how it encoded).
    let check (model: GridModel) (shape: GridShape) (grid: int[]) : string list =
        let problems = ResizeArray<string>()

        try
            let steps = GridCoding.checkedSteps model shape
            let all = model.TablesForAll(grid, shape)
            GridCoding.checkTables model all shape.Count "TablesForAll"
            let k = model.Alphabet
            let known = Array.zeroCreate<bool> shape.Count

            for i in 0 .. steps.Length - 1 do
                let step = steps[i]

                if step.Length > 0 then
                    let scrambled =
                        Array.init grid.Length (fun p -> if known[p] then grid[p] else (grid[p] + 1 + p % 7) % k)

                    let t = model.TablesForStep(scrambled, shape, i)
                    GridCoding.checkTables model t step.Length $"TablesForStep {i}"

                    for j in 0 .. step.Length - 1 do
                        let p = step[j]
                        let expected = all.Row(if all.Count = 1 then 0 else p)
                        let actual = t.Row(if t.Count = 1 then 0 else j)

                        if problems.Count < 20 && not (expected.SequenceEqual actual) then
                            problems.Add $"step {i}, position {p}: TablesForStep differs from TablesForAll"

                    for p in step do
                        known[p] <- true
        with :? InvalidOperationException as e ->
            problems.Add e.Message

        List.ofSeq problems

    /// Raises InvalidOperationException listing the problems, if any.
    let assertConsistent (model: GridModel) (shape: GridShape) (grid: int[]) =
        match check model shape grid with
        | [] -> ()
        | problems -> invalidOp (String.Join("\n", problems))
