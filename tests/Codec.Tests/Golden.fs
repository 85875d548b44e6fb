/// Golden files under tests/data/golden: compared byte for byte. Setting VQZ_ACCEPT_SNAPSHOTS=1 rewrites
/// them (review the diff before committing); without it a missing or different golden fails. CI never sets it.
module VqVae.Codec.Codec.Tests.Golden

open System
open System.IO
open Xunit

let directory = Path.GetFullPath(Path.Combine(__SOURCE_DIRECTORY__, "..", "data", "golden"))

let accepting = Environment.GetEnvironmentVariable "VQZ_ACCEPT_SNAPSHOTS" = "1"

/// Compares `actual` with the golden file `name`, or rewrites it when accepting.
let checkBytes (name: string) (actual: byte[]) =
    let path = Path.Combine(directory, name)

    if accepting then
        Directory.CreateDirectory directory |> ignore
        File.WriteAllBytes(path, actual)
    elif not (File.Exists path) then
        Assert.Fail $"golden {name} is missing; create it with VQZ_ACCEPT_SNAPSHOTS=1 and review it"
    else
        let expected = File.ReadAllBytes path
        let common = min expected.Length actual.Length
        let first = Seq.tryFind (fun i -> expected[i] <> actual[i]) (seq { 0 .. common - 1 })

        match first with
        | Some i -> Assert.Fail $"golden {name} differs at byte {i}: expected 0x%02x{expected[i]}, got 0x%02x{actual[i]}"
        | None when expected.Length <> actual.Length ->
            Assert.Fail $"golden {name} has {expected.Length} bytes, the new output {actual.Length}"
        | None -> ()

/// Compares text with the golden file `name` (UTF-8).
let checkText (name: string) (actual: string) = checkBytes name (Text.Encoding.UTF8.GetBytes actual)

/// The bytes of golden file `name`.
let read (name: string) = File.ReadAllBytes(Path.Combine(directory, name))

/// An input of the golden files (a model file): the committed file when present; when it is missing,
/// made by `make` and written if accepting, else a failure. Inputs are never rewritten: a golden
/// .vqz file stays tied to the model bytes committed beside it.
let input (name: string) (make: unit -> byte[]) =
    let path = Path.Combine(directory, name)

    if File.Exists path then
        File.ReadAllBytes path
    elif accepting then
        let bytes = make ()
        File.WriteAllBytes(path, bytes)
        bytes
    else
        failwith $"golden input {name} is missing; create it with VQZ_ACCEPT_SNAPSHOTS=1 and review it"
