/// The intermediate values beside the golden files, for an implementer to compare against: the first
/// steps' logits, softmax weights E(l − m) and frequency tables of each file (`<name>.steps.json`),
/// and test values of the two exp functions (`exp-test-values.json`). Bits are hexadecimal.
module VqVae.Codec.Codec.Tests.GoldenSteps

open System
open System.IO
open System.Text.Encodings.Web
open System.Text.Json
open VqVae.Codec.Entropy
open VqVae.Codec.Prior
open VqVae.Codec.Codec.Tests.GoldenCases

/// Steps described per file, and positions per step.
[<Literal>]
let StepsShown = 3

[<Literal>]
let PositionsShown = 2

let private f32 (x: float32) = $"0x{BitConverter.SingleToUInt32Bits x:X8}"
let private f64 (x: float) = $"0x{BitConverter.DoubleToInt64Bits x:X16}"

let private json (write: Utf8JsonWriter -> unit) =
    use stream = new MemoryStream()

    do
        use j = new Utf8JsonWriter(stream, JsonWriterOptions(Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping))
        write j

    Text.Encoding.UTF8.GetString(stream.ToArray()) + "\n"

let private frequencies (j: Utf8JsonWriter) (tables: FrequencyTables) (row: int) =
    let stride = tables.Stride
    let c = tables.Cumulative.Slice(row * stride, stride).ToArray()
    j.WriteStartArray "frequencies"

    for s in 0 .. tables.Alphabet - 1 do
        j.WriteNumberValue(c[s + 1] - c[s])

    j.WriteEndArray()

/// The first steps of `model`'s coding order of `grid` ("steps", "firstSteps"): per step its position count
/// and, for its first positions, the code and (with `logits`, K per position) the logits, max, weights, sum and
/// frequencies; without logits (a static model) the step's one table.
let private writeSteps (j: Utf8JsonWriter) (model: GridModel) (shape: GridShape) (grid: int[]) (logits: float32[] option) =
    let steps = model.Steps shape
    let k = model.Alphabet
    j.WriteNumber("steps", steps.Length)
    j.WriteStartArray "firstSteps"

    for t in 0 .. min StepsShown steps.Length - 1 do
        j.WriteStartObject()
        j.WriteNumber("step", t)
        j.WriteNumber("positionCount", steps[t].Length)
        j.WriteStartArray "positions"

        for p in Array.truncate PositionsShown steps[t] do
            j.WriteStartObject()
            j.WriteNumber("position", p)
            j.WriteNumber("row", p / shape.Width)
            j.WriteNumber("column", p % shape.Width)
            j.WriteNumber("code", grid[p])

            match logits with
            | Some all ->
                let l = all[p * k .. p * k + k - 1]
                let m = l |> Array.map float |> Array.max
                let w = l |> Array.map (fun x -> DeterministicMath.expNonPositive (float x - m))
                j.WriteStartArray "logits"
                for x in l do j.WriteStringValue(f32 x)
                j.WriteEndArray()
                j.WriteString("max", f64 m)
                j.WriteStartArray "weights"
                for x in w do j.WriteStringValue(f64 x)
                j.WriteEndArray()
                j.WriteString("sum", f64 (Array.fold (+) 0.0 w))
                frequencies j (FrequencyTable.ofLogits l) 0
            | None -> ()

            j.WriteEndObject()

        j.WriteEndArray()

        if logits.IsNone then
            // Static models: one table for every position, from the weights of spec §8.2.
            frequencies j (model.TablesForStep(grid, shape, t)) 0

        j.WriteEndObject()

    j.WriteEndArray()

/// `<name>.steps.json`: the coding order's first steps with, for their first positions, the logits
/// (gated PixelCNN), the weights w[s] = E(l[s] − m) and their sum S (spec §6.2), and the frequencies.
/// A file with code levels adds "levels": the same for each level l ≥ 2 under the level prior
/// (spec/prior.md §6: two steps, anchors first), given the grids of the levels before it.
let stepsJson (c: Case) =
    let shape = { Height = c.Header.LatentHeight; Width = c.Header.LatentWidth }
    let model = c.Model()

    let logits =
        match model with
        | :? GatedPixelCnnGridModel as g -> Some(g.LogitsForAll(c.Grid, shape))
        | _ -> None

    json (fun j ->
        j.WriteStartObject()
        j.WriteString("file", $"{c.Name}.vqz")
        j.WriteString("coding", c.Coding)
        j.WriteNumber("alphabet", model.Alphabet)
        j.WriteNumber("gridHeight", shape.Height)
        j.WriteNumber("gridWidth", shape.Width)
        writeSteps j model shape c.Grid logits

        match c.LevelCoding with
        | Some coding when c.Grids.Length > 1 ->
            let weights, tables = coding ()
            let grids = Array.ofList c.Grids
            j.WriteStartArray "levels"

            for level in 2 .. grids.Length do
                let m = LevelCoding.model weights tables 1 shape grids[.. level - 2] level
                j.WriteStartObject()
                j.WriteNumber("level", level)
                j.WriteNumber("alphabet", m.Alphabet)
                writeSteps j m shape grids[level - 1] (Some(m.LogitsForAll(grids[level - 1], shape)))
                j.WriteEndObject()

            j.WriteEndArray()
        | _ -> ()

        j.WriteEndObject())

/// e(x) of spec/prior.md §3, written out with its constants: the sums left to right,
/// e = (((p × r) × r) + r) + 1, and the other grouping (p × r) × r + (r + 1) that a reader might take.
let expBothGroupings (x: float32) =
    let f (bits: uint32) = BitConverter.UInt32BitsToSingle bits

    if x < -87.0f then
        0.0f, 0.0f
    else
        let k = MathF.Floor(x * f 0x3FB8AA3Bu + 0.5f)
        let r = (x - k * f 0x3F318000u) - k * f 0xB95E8083u
        let p = ((((f 0x39506967u * r + f 0x3AB743CEu) * r + f 0x3C088908u) * r + f 0x3D2AA9C1u) * r + f 0x3E2AAAAAu) * r + f 0x3F000000u
        let scale = BitConverter.Int32BitsToSingle((int k + 127) <<< 23)
        let pr2 = (p * r) * r
        ((pr2 + r) + 1.0f) * scale, (pr2 + (r + 1.0f)) * scale

/// Arguments of the e(x) test values (binary32).
let eArguments = [| 0.0f; -0.1f; -0.25f; -0.3f; -0.5f; -0.7f; -1.0f; -2.5f; -10.0f; -40.0f; -86.5f; -87.5f |]

/// Arguments of the E(x) test values (binary64).
let bigEArguments = [| 0.0; -0.1; -0.5; -1.0; -10.0; -100.0; -700.0; -708.5 |]

/// `exp-test-values.json`: e(x) (binary32, spec/prior.md §3), with the other grouping's result, and
/// E(x) (binary64, spec/vqz.md §6.1).
let expJson () =
    json (fun j ->
        j.WriteStartObject()
        j.WriteStartArray "e"

        for x in eArguments do
            let e, other = expBothGroupings x
            j.WriteStartObject()
            j.WriteString("x", f32 x)
            j.WriteString("e", f32 e)
            j.WriteString("otherGrouping", f32 other)
            j.WriteEndObject()

        j.WriteEndArray()
        j.WriteStartArray "E"

        for x in bigEArguments do
            j.WriteStartObject()
            j.WriteString("x", f64 x)
            j.WriteString("E", f64 (DeterministicMath.expNonPositive x))
            j.WriteEndObject()

        j.WriteEndArray()
        j.WriteEndObject())
