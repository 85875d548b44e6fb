module VqVae.Codec.Format.Tests.GoldenRobustnessTests

open System
open Xunit
open VqVae.Codec.Format
open VqVae.Codec.Format.Tests.Samples

[<Fact>]
let ``golden files read and write back byte for byte`` () =
    for name, bytes in goldenFiles () do
        let f = read bytes
        Assert.True((Vqz.write f).AsSpan().SequenceEqual(ReadOnlySpan bytes), name)

[<Fact>]
let ``every truncation of every golden file is a typed error`` () =
    for name, bytes in goldenFiles () do
        for length in 0 .. bytes.Length - 1 do
            for options in [ VqzReaderOptions.Default; noChecksum ] do
                let cut = ReadOnlyMemory(bytes, 0, length)

                match Vqz.tryRead options cut with
                | Error _ -> ()
                | Ok _ when not options.VerifyChecksum -> ()
                | Ok _ -> Assert.Fail $"{name} truncated to {length} bytes was accepted"

[<Fact>]
let ``every single-byte change of every golden file is a typed error`` () =
    let mutable checkedFiles = 0

    for name, bytes in goldenFiles () do
        let copy = Array.copy bytes

        for i in 0 .. bytes.Length - 1 do
            for value in 0..255 do
                if byte value <> bytes[i] then
                    copy[i] <- byte value

                    match Vqz.tryRead VqzReaderOptions.Default (ReadOnlyMemory copy) with
                    | Error _ -> checkedFiles <- checkedFiles + 1
                    | Ok _ -> Assert.Fail $"{name} with byte {i} set to {value} was accepted"

            copy[i] <- bytes[i]

    Assert.True(checkedFiles > 0)
