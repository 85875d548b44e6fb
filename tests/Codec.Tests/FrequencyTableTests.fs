module VqVae.Codec.Codec.Tests.FrequencyTableTests

open System
open System.Security.Cryptography
open FsCheck.Xunit
open Xunit
open VqVae.Codec.Entropy
open VqVae.Codec.Codec.Tests.TestData

let private assertValid (t: FrequencyTables) =
    for row in 0 .. t.Count - 1 do
        let c = t.Row row
        Assert.Equal(0, c[0])
        Assert.Equal(Precision.Total, c[t.Alphabet])

        for s in 0 .. t.Alphabet - 1 do
            Assert.True(c[s + 1] - c[s] >= 1, $"row {row}: symbol {s} has frequency {c[s + 1] - c[s]}")

let private digest (t: FrequencyTables) =
    let bytes = Array.zeroCreate<byte> (4 * t.Cumulative.Length)
    Buffer.BlockCopy(t.Cumulative.ToArray(), 0, bytes, 0, bytes.Length)
    Convert.ToHexStringLower(SHA256.HashData bytes)

[<Property(MaxTest = 300)>]
let ``ofLogits: every frequency >= 1, sum 65536, same table twice`` (seed: int) (size: byte) =
    let rng = Random seed
    let k = 1 + int size * 2
    let logits = adversarialLogits rng k
    let t = FrequencyTable.ofLogits logits
    assertValid t
    Assert.Equal(digest t, digest (FrequencyTable.ofLogits (Array.copy logits)))

[<Property(MaxTest = 300)>]
let ``ofProbabilities: every frequency >= 1, sum 65536, same table twice`` (seed: int) (size: byte) =
    let rng = Random seed
    let k = 1 + int size * 2
    let p = adversarialProbabilities rng k
    let t = FrequencyTable.ofProbabilities p
    assertValid t
    Assert.Equal(digest t, digest (FrequencyTable.ofProbabilities (Array.copy p)))

[<Fact>]
let ``the largest and smallest alphabets are valid`` () =
    assertValid (FrequencyTable.uniform Precision.MaxAlphabet)
    assertValid (FrequencyTable.ofLogits (Array.init Precision.MaxAlphabet (fun i -> float32 (i % 13))))
    let one = FrequencyTable.ofLogits [| 3.0f |]
    Assert.Equal(Precision.Total, one.Frequency(0, 0))

[<Fact>]
let ``uniform 512 gives 128 to every symbol`` () =
    let t = FrequencyTable.uniform 512

    for s in 0..511 do
        Assert.Equal(128, t.Frequency(0, s))

[<Fact>]
let ``the remainder goes to the largest residuals, ties to the lowest index`` () =
    // K = 3, budget 65533: p = 1/3 each gives a = 21844.33.., f = 21845 each (65535 in all);
    // the one leftover unit goes to symbol 0, the lowest index of three equal residuals.
    let t = FrequencyTable.ofProbabilities [| 1.0; 1.0; 1.0 |]
    Assert.Equal<int[]>([| 21846; 21845; 21845 |], Array.init 3 (fun s -> t.Frequency(0, s)))

[<Fact>]
let ``a one-hot distribution leaves 1 to every other symbol`` () =
    let t = FrequencyTable.ofProbabilities (Array.init 512 (fun i -> if i = 7 then 1.0 else 0.0))
    Assert.Equal(65536 - 511, t.Frequency(0, 7))
    Assert.Equal(1, t.Frequency(0, 0))

[<Fact>]
let ``batch rows equal single tables`` () =
    let rng = Random 5
    let k = 64
    let rows = Array.init 100 (fun _ -> adversarialLogits rng k)
    let batch = FrequencyTable.ofLogitsBatch k (ReadOnlyMemory(Array.concat rows))
    Assert.Equal(100, batch.Count)

    for i in 0..99 do
        Assert.True((FrequencyTable.ofLogits rows[i]).Row(0).SequenceEqual(batch.Row i), $"row {i}")

[<Fact>]
let ``non-finite inputs and bad cumulative rows are rejected`` () =
    Assert.Throws<ArgumentException>(fun () -> FrequencyTable.ofLogits [| 1.0f; nanf |] |> ignore) |> ignore
    Assert.Throws<ArgumentException>(fun () -> FrequencyTable.ofLogits [| 1.0f; infinityf |] |> ignore) |> ignore
    Assert.Throws<ArgumentException>(fun () -> FrequencyTable.ofProbabilities [| 0.0; 0.0 |] |> ignore) |> ignore
    Assert.Throws<ArgumentException>(fun () -> FrequencyTable.ofProbabilities [| -1.0; 2.0 |] |> ignore) |> ignore

    Assert.Throws<ArgumentException>(fun () -> FrequencyTables.OfCumulative(2, ReadOnlySpan [| 0; 0; 65536 |]) |> ignore)
    |> ignore

    Assert.Throws<ArgumentException>(fun () -> FrequencyTables.OfCumulative(2, ReadOnlySpan [| 0; 5; 65535 |]) |> ignore)
    |> ignore

/// Logits defined with float32 arithmetic only (no libm), so the input is the same everywhere.
let pinnedLogits = Array.init 512 (fun i -> float32 ((i * 37) % 101 - 50) / 7.0f)

[<Fact>]
let ``pinned: a fixed logits vector gives a fixed table`` () =
    // Pinned: a change to the deterministic exp, the softmax order or the rounding rule changes this.
    let t = FrequencyTable.ofLogits pinnedLogits
    Assert.Equal<int list>([ 1; 1; 43; 1; 2; 177; 1; 5; 733; 1 ], [ for s in 0..9 -> t.Frequency(0, s) ])
    Assert.Equal("8d89bb87e4574fc786e79ab0efc993f49bb8733650a47146e8c897f40cf4b0fe", digest t)

[<Fact>]
let ``pinned: a fixed histogram gives a fixed table`` () =
    let t = FrequencyTable.ofCounts (Array.init 512 (fun i -> int64 (100_000 / (i + 1))))
    Assert.Equal("30b9dd10055a1f5d49bb492d80b31a78d296b7e926421feb67de3441eb088e68", digest t)

[<Property(MaxTest = 500)>]
let ``selecting the threshold gives the value a full sort gives, ties included`` (values: FsCheck.NormalFloat list) (rank: FsCheck.PositiveInt) =
    let a = values |> List.map (fun v -> Math.Round(float v, 1)) |> Array.ofList   // rounding makes ties common
    a.Length = 0
    || (let r = rank.Get % a.Length
        let sorted = Array.sort a
        FrequencyTable.select (Span(Array.copy a)) r = sorted[r])

[<Property(MaxTest = 500)>]
let ``the residual of a rank, found through the histogram, is the value a full sort gives, ties included`` (values: FsCheck.NormalFloat list) (rank: FsCheck.PositiveInt) =
    // residuals in [0, 1), rounded so that ties and crowded buckets are common
    let a = values |> List.map (fun v -> let x = abs (float v) in Math.Round(x - floor x, 2) % 1.0) |> Array.ofList
    a.Length = 0
    || (let r = rank.Get % a.Length
        let sorted = Array.sort a
        FrequencyTable.residualOfRank (ReadOnlySpan a) r (Span(Array.zeroCreate<float> a.Length)) = sorted[r])
