module VqVae.Codec.Codec.Tests.RangeCoderTests

open System
open FsCheck.Xunit
open Xunit
open VqVae.Codec.Entropy
open VqVae.Codec.Format
open VqVae.Codec.Codec.Tests.TestData

/// Random tables (adversarial logits) and a symbol drawn from each table's own distribution.
let private stream (seed: int) (count: int) (k: int) =
    let rng = Random seed
    let tables = FrequencyTable.ofLogitsBatch k (ReadOnlyMemory(Array.init count (fun _ -> adversarialLogits rng k) |> Array.concat))

    let symbols =
        Array.init count (fun i ->
            let c = tables.Row i
            let u = rng.Next Precision.Total
            let mutable s = 0

            while c[s + 1] <= u do
                s <- s + 1

            s)

    tables, symbols

let private encode (tables: FrequencyTables) (symbols: int[]) =
    let e = RangeEncoder()
    symbols |> Array.iteri (fun i s -> e.Encode(tables, i, s))
    e.Finish()

let private decode (tables: FrequencyTables) (count: int) (bytes: byte[]) =
    let d = RangeDecoder(ReadOnlyMemory bytes)
    let result = Array.init count (fun i -> d.Decode(tables, i))
    d.Finish()
    result

[<Property(MaxTest = 200)>]
let ``symbols with a random table each decode to what was encoded`` (seed: int) (length: byte) (size: byte) =
    let k = 2 + int size
    let tables, symbols = stream seed (1 + int length * 4) k
    Assert.Equal<int[]>(symbols, decode tables symbols.Length (encode tables symbols))

[<Property(MaxTest = 200)>]
let ``worst-case symbols (frequency 1 each time) round-trip`` (seed: int) (length: byte) =
    let rng = Random seed
    let k = 512
    let count = 1 + int length * 8
    let one = FrequencyTable.ofProbabilities (Array.init k (fun i -> if i = 0 then 1.0 else 0.0))
    let tables = FrequencyTables.OfCumulative(k, ReadOnlySpan(Array.concat (Array.create count (one.Row(0).ToArray()))))
    let symbols = Array.init count (fun _ -> 1 + rng.Next(k - 1))
    Assert.Equal<int[]>(symbols, decode tables count (encode tables symbols))

[<Fact>]
let ``certain symbols code to nothing and zero-fill decodes them`` () =
    let t = FrequencyTable.ofLogits [| 0.0f |]
    let tables = FrequencyTables.OfCumulative(1, ReadOnlySpan(Array.concat (Array.create 1000 (t.Row(0).ToArray()))))
    let bytes = encode tables (Array.zeroCreate 1000)
    Assert.Empty bytes
    Assert.Equal<int[]>(Array.zeroCreate 1000, decode tables 1000 bytes)

[<Fact>]
let ``coded size is within 0.1% of the ideal plus a few bytes`` () =
    let tables, symbols = stream 11 20_000 512
    let ideal = symbols |> Array.mapi (fun i s -> -Math.Log2(float (tables.Frequency(i, s)) / 65536.0)) |> Array.sum
    let coded = 8.0 * float (encode tables symbols).Length
    Assert.True(coded <= ideal * 1.001 + 32.0, $"coded {coded} bits, ideal {ideal}")

[<Property(MaxTest = 300)>]
let ``garbage input decodes to some symbols or a format error, never anything else`` (seed: int) (length: byte) =
    let rng = Random seed
    let tables, _ = stream seed 64 37
    let garbage = Array.zeroCreate<byte> (int length)
    rng.NextBytes garbage

    try
        decode tables 64 garbage |> ignore
    with :? VqzFormatException as e ->
        Assert.Equal(VqzErrorKind.Corrupt, e.Kind)

[<Fact>]
let ``the encoder refuses to continue after finishing`` () =
    let e = RangeEncoder()
    e.Finish() |> ignore
    Assert.Throws<InvalidOperationException>(fun () -> e.Encode(FrequencyTable.uniform 4, 0, 1)) |> ignore

[<Fact>]
let ``symbols and rows outside the table are rejected`` () =
    let e = RangeEncoder()
    let t = FrequencyTable.uniform 4
    Assert.Throws<ArgumentOutOfRangeException>(fun () -> e.Encode(t, 0, 4)) |> ignore
    Assert.Throws<ArgumentOutOfRangeException>(fun () -> e.Encode(t, 1, 0)) |> ignore
    Assert.Throws<ArgumentOutOfRangeException>(fun () -> e.Encode(t, 0, -1)) |> ignore

[<Fact>]
let ``the benchmark's coded size is within 0.1% of the ideal and round-trips`` () =
    let r = CoderBenchmark.run { CoderBenchmarkOptions.Default with Symbols = 100_000 }
    Assert.True(r.RoundTripOk)
    Assert.True(r.OverheadPercent < 0.1, $"overhead {r.OverheadPercent} %%")

/// Why a LEVELS chunk allows streams of 0 bytes (spec §4.6): symbols whose cumulative frequency starts
/// at 0 leave `low` at 0, the flush writes only zeros and §5.4 removes them. So an all-zero code level
/// is an empty stream, whatever its size, and it decodes back from no bytes.
[<Fact>]
let ``an all-zero grid codes to an empty stream, which decodes back`` () =
    let t = FrequencyTable.uniform 512
    let e = RangeEncoder()

    for _ in 1..1000 do
        e.Encode(t, 0, 0)

    let bytes = e.Finish()
    Assert.Empty bytes
    Assert.Empty(RangeEncoder().Finish())
    let d = RangeDecoder(ReadOnlyMemory bytes)
    Assert.All(Array.init 1000 (fun _ -> d.Decode(t, 0)), fun s -> Assert.Equal(0, s))
    d.Finish()
