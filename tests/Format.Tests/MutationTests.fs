module VqVae.Codec.Format.Tests.MutationTests

open System
open System.Diagnostics
open Xunit
open Xunit.Abstractions
open VqVae.Codec.Format
open VqVae.Codec.Format.Tests.Samples

/// One random mutation: bit flip, byte set, insertion, deletion or truncation (1 to 4 of them).
let private mutate (rng: Random) (bytes: byte[]) =
    let mutable b = ResizeArray bytes

    for _ in 1 .. 1 + rng.Next 4 do
        let at () = rng.Next(max 1 b.Count)

        match rng.Next 5 with
        | 0 when b.Count > 0 -> let i = at () in b[i] <- b[i] ^^^ (1uy <<< rng.Next 8)
        | 1 when b.Count > 0 -> b[at ()] <- [| 0uy; 0xFFuy; 0x7Fuy; 0x80uy; byte (rng.Next 256) |].[rng.Next 5]
        | 2 -> b.Insert(rng.Next(b.Count + 1), byte (rng.Next 256))
        | 3 when b.Count > 0 -> b.RemoveAt(at ())
        | _ -> b <- ResizeArray(Seq.truncate (rng.Next(b.Count + 1)) b)

    b.ToArray()

type MutationTests(output: ITestOutputHelper) =
    [<Fact>]
    member _.``100,000 mutated files give only VqzFormatException, each quickly``() =
        let rng = Random 20261126
        // The golden files (three with code levels, LEVELS spec §4.6) and two more files with LEVELS.
        let sources = Array.append (goldenFiles () |> Array.map snd) (LevelsTests.levelsSamples ())
        let count = 100_000
        let mutable rejected = 0
        let mutable slowest = TimeSpan.Zero
        let mutable largest = 0L
        let total = Stopwatch.StartNew()
        let each = Stopwatch()

        for i in 1..count do
            let mutated = mutate rng sources[i % sources.Length]
            // Three in four skip the checksum, so the mutations reach the parser.
            let options = if i % 4 = 0 then VqzReaderOptions.Default else noChecksum
            let before = GC.GetAllocatedBytesForCurrentThread()
            each.Restart()

            try
                let read = Vqz.readDetailed options (ReadOnlyMemory mutated)
                VqzDescription.toJson read |> ignore
            with :? VqzFormatException ->
                rejected <- rejected + 1

            if each.Elapsed > slowest then slowest <- each.Elapsed
            largest <- max largest (GC.GetAllocatedBytesForCurrentThread() - before)

        let summary =
            $"mutation test: {count} mutated files, {rejected} rejected with VqzFormatException, {count - rejected} read, "
            + $"{total.Elapsed.TotalSeconds:F1} s in all, slowest file {slowest.TotalMilliseconds:F1} ms, "
            + $"largest allocation for one file {largest / 1024L} KiB"

        output.WriteLine summary
        Console.WriteLine summary
        Assert.True(total.Elapsed < TimeSpan.FromMinutes 1.0, summary)
        // Allocation is the deterministic bound on the work per file; the time bound only catches
        // runaway inputs, as a GC pause or a busy machine can stall any one file for a few 100 ms.
        Assert.True(largest < 1024L * 1024L, summary)
        Assert.True(slowest < TimeSpan.FromSeconds 2.0, summary)
