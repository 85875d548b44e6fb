module VqVae.Codec.Format.Tests.LevelsTests

open System
open System.Security.Cryptography
open System.Text
open System.Text.Json
open FsCheck.Xunit
open Xunit
open VqVae.Codec.Format
open VqVae.Codec.Format.Tests.Samples

let private hex (s: string) = Convert.FromHexString(s.Replace(" ", ""))

let private streamsOf (file: VqzFile) = VqzLevels.streams file |> Array.map (fun s -> s.ToArray())

/// The three pseudo-digests of the static set uniform-512, level prior included (spec §8.2, §4.6).
let private staticTag3 () =
    let d role = StaticModelSet.digest "uniform-512" role
    ModelsTag.OfDigests(d ModelRole.Autoencoder, d ModelRole.Prior, d ModelRole.LevelPrior)

/// The worked example of spec §4.6: 8 x 8 grayscale, three levels of 3, 0 and 2 stream bytes.
let specExample () =
    let h = { header 8 8 with ModelsTag = staticTag3 () }
    VqzLevels.create h [] [| ReadOnlyMemory(hex "A1A2A3"); ReadOnlyMemory.Empty; ReadOnlyMemory(hex "C1C2") |]

let private specExampleBytes =
    "56 51 5a 11 80 01 08 08 3a 7f 34 b6 01 84 03 03 03 00 a1 a2 a3 c1 c2 8d 36 a5 a8"

/// An 8 x 8 file of `version` whose one chunk (type byte at offset 13, length at 14, data from 15) has
/// type `typeCode` and the given data, with a valid CRC-32C.
let private rawChunkFile (version: byte) (typeCode: byte) (data: byte[]) (payload: byte[]) =
    let bytes = Vqz.write (file 8 8 [ VqzChunk.UnknownOptional(0x40uy, ReadOnlyMemory data) ] payload)
    Assert.Equal(0x40uy, bytes[13])
    bytes[VqzLayout.VersionOffset] <- version
    bytes[13] <- typeCode
    withChecksum bytes

let private levelsError (data: byte[]) (payload: byte[]) =
    readError VqzReaderOptions.Default (rawChunkFile 0x11uy VqzLayout.LevelsChunk data payload)

let private expectCorrupt (offset: int64) (path: string) (e: FormatError) =
    Assert.Equal(VqzErrorKind.Corrupt, e.Kind)
    Assert.Equal(path, e.Path)
    Assert.Equal(offset, e.Offset)

[<Fact>]
let ``the spec's LEVELS example is written and read byte for byte`` () =
    let bytes = Vqz.write (specExample ())
    Assert.Equal(specExampleBytes, Convert.ToHexStringLower(bytes) |> Seq.chunkBySize 2 |> Seq.map String |> String.concat " ")
    let read = Vqz.readDetailed VqzReaderOptions.Default (ReadOnlyMemory bytes)
    Assert.Equal(FormatVersions.V1_1, read.File.Header.Version)
    Assert.Equal(3, VqzLevels.count read.File)
    Assert.Equal<byte[][]>([| hex "A1A2A3"; [||]; hex "C1C2" |], streamsOf read.File)
    Assert.Equal(0x3A7F34B6u, read.File.Header.ModelsTag.Value)
    Assert.Equal(0xA8A5368Du, read.Placement.Checksum)
    Assert.Equal(18L, read.Placement.PayloadOffset)

    match read.File.Chunks, read.Placement.Chunks with
    | [ VqzChunk.Levels levels ], [ place ] ->
        Assert.Equal(CodeLevels.Create [ 3; 0 ], levels)
        Assert.Equal({ TypeCode = 0x84uy; Offset = 13L; DataLength = 3L }, place)
    | other -> failwith $"{other}"

[<Fact>]
let ``vqz info shows the levels and the length of every level's stream`` () =
    let read = Vqz.readDetailed VqzReaderOptions.Default (ReadOnlyMemory(Vqz.write (specExample ())))
    use json = JsonDocument.Parse(VqzDescription.toJson read)
    let chunk = json.RootElement.GetProperty("chunks")[0]
    Assert.Equal("levels", chunk.GetProperty("type").GetString())
    Assert.Equal(13, chunk.GetProperty("offset").GetInt32())
    Assert.Equal(3, chunk.GetProperty("dataLength").GetInt32())
    Assert.Equal(3, chunk.GetProperty("levels").GetInt32())
    Assert.Equal<int[]>([| 3; 0; 2 |], [| for l in chunk.GetProperty("streamLengths").EnumerateArray() -> l.GetInt32() |])
    Assert.Equal("1.1", json.RootElement.GetProperty("version").GetString())

[<Fact>]
let ``with levels the models tag is the first 4 bytes of SHA-256 of three digests`` () =
    let a, b, c = Sha256Digest.Of(ReadOnlySpan "a"B), Sha256Digest.Of(ReadOnlySpan "b"B), Sha256Digest.Of(ReadOnlySpan "c"B)
    let all = SHA256.HashData(Array.concat [ SHA256.HashData "a"B; SHA256.HashData "b"B; SHA256.HashData "c"B ])
    Assert.Equal(Convert.ToHexStringLower all[..3], string (ModelsTag.OfDigests(a, b, c)))
    Assert.NotEqual(ModelsTag.OfDigests(a, b), ModelsTag.OfDigests(a, b, c))
    // The static set's level prior: SHA-256 of "static:uniform-512:level-prior" (spec §4.6 test value).
    Assert.Equal(Sha256Digest.Of(ReadOnlySpan(Encoding.UTF8.GetBytes "static:uniform-512:level-prior")), StaticModelSet.digest "uniform-512" ModelRole.LevelPrior)
    Assert.Equal("3a7f34b6", string (staticTag3 ()))
    // The two-digest tag of the set is unchanged (spec §11.1).
    Assert.Equal("d513e44c", string (StaticModelSet.tag "uniform-512"))

[<Property(MaxTest = 200)>]
let ``any number of level streams of any lengths round-trips`` (seed: int) =
    let rng = Random seed
    let n = 1 + rng.Next VqzLayout.MaxLevels
    // Lengths 0 (an all-zero grid codes to no bytes), small, and a few over 127 (two-byte varints).
    let length () = match rng.Next 4 with 0 -> 0 | 1 -> 128 + rng.Next 300 | _ -> 1 + rng.Next 20
    let streams = Array.init n (fun _ -> Array.init (length ()) (fun _ -> byte (rng.Next 256)))
    let meta = if rng.Next 2 = 0 then [ VqzChunk.Metadata [ { Key = "k"; Value = "v" } ] ] else []
    let grid = if rng.Next 2 = 0 then [ VqzChunk.GridChecksum(uint32 (rng.Next())) ] else []
    let f = VqzLevels.create (header (1 + rng.Next 300) (1 + rng.Next 300)) (meta @ grid) (streams |> Array.map ReadOnlyMemory)
    let bytes = Vqz.write f
    let back = read bytes
    Assert.Equal<byte[][]>(streams, streamsOf back)
    Assert.Equal(n, VqzLevels.count back)
    Assert.Equal((if n > 1 || not grid.IsEmpty then FormatVersions.V1_1 else FormatVersions.V1_0), back.Header.Version)
    Assert.Equal<byte[]>(bytes, Vqz.write back)

    if n = 1 then
        // One level: no LEVELS chunk, the bytes of a file written without levels.
        let plain = { Header = { f.Header with Version = FormatVersions.required (meta @ grid) }; Chunks = meta @ grid; Payload = ReadOnlyMemory streams[0] }
        Assert.Equal<byte[]>(Vqz.write plain, bytes)
    else
        // The chunk's data: n, then n - 1 varints; the payload is the streams end to end.
        let expected = 1 + (streams[.. n - 2] |> Array.sumBy (fun s -> Emit.varintLength (int64 s.Length)))
        let place = (Vqz.readDetailed VqzReaderOptions.Default (ReadOnlyMemory bytes)).Placement.Chunks.Head
        Assert.Equal(int64 expected, place.DataLength)
        Assert.Equal<byte[]>(Array.concat streams, back.Payload.ToArray())

[<Fact>]
let ``a one-level file has no LEVELS chunk and keeps its 1.0 bytes`` () =
    let payload = hex "0102030405"
    let f = VqzLevels.create (header 8 8) [] [| ReadOnlyMemory payload |]
    Assert.Equal<byte[]>(Vqz.write (file 8 8 [] payload), Vqz.write f)
    Assert.Equal(1, VqzLevels.count f)
    Assert.Equal<byte[][]>([| payload |], streamsOf f)

    // The golden files of one level have no LEVELS chunk and their payload is their one stream; those
    // with code levels (tiny-levels-*-<n>levels) have n streams that fill the payload end to end.
    for name, bytes in goldenFiles () do
        let g = read bytes
        let levels = Text.RegularExpressions.Regex.Match(string name, "-([0-9]+)levels")
        let n = if levels.Success then int levels.Groups[1].Value else 1
        Assert.True(VqzLevels.count g = n, name)
        let streams = VqzLevels.streams g
        Assert.True(streams.Length = n, name)

        if n = 1 then
            Assert.True(streams[0].Span.SequenceEqual(g.Payload.Span), name)
            Assert.True((VqzLevels.tryFind g.Chunks).IsNone, name)
        else
            let all = Array.concat (streams |> Array.map _.ToArray())
            Assert.True(all.AsSpan().SequenceEqual(g.Payload.Span), name)

[<Theory>]
[<InlineData(0)>]
[<InlineData(1)>]
[<InlineData(17)>]
[<InlineData(255)>]
let ``a LEVELS chunk of fewer than 2 or more than 16 levels is corrupt at its count`` (n: int) =
    // n, then n - 1 lengths of 0 (as many as there are), so only the count is wrong.
    let data = Array.append [| byte n |] (Array.zeroCreate (min 16 (max 0 (n - 1))))
    let e = levelsError data [| 1uy |]
    expectCorrupt 15L "chunks[0].levels.count" e
    Assert.Contains("2 to 16", e.Reason)

[<Fact>]
let ``stream lengths that overrun the payload are corrupt at the length that crosses its end`` () =
    // Two levels, level 1 claims 5 bytes of a 4-byte payload.
    levelsError [| 2uy; 5uy |] (hex "01020304") |> expectCorrupt 16L "chunks[0].levels.lengths[0]"
    // Three levels: 2 bytes fit, 2 + 3 do not; the second length is at 17.
    levelsError [| 3uy; 2uy; 3uy |] (hex "01020304") |> expectCorrupt 17L "chunks[0].levels.lengths[1]"
    // A two-byte varint first (128 = 80 01): the second length's offset follows it.
    levelsError [| 3uy; 0x80uy; 0x01uy; 1uy |] (Array.zeroCreate 128) |> expectCorrupt 18L "chunks[0].levels.lengths[1]"
    // A length beyond the whole file is refused while the chunk is read.
    let e = levelsError [| 2uy; 0xFFuy; 0xFFuy; 0xFFuy; 0xFFuy; 0x0Fuy |] (hex "01")
    expectCorrupt 16L "chunks[0].levels.lengths[0]" e
    Assert.Contains("4294967295", e.Reason)

[<Fact>]
let ``level n's stream may be empty, as may any other: a range coder stream can have no bytes`` () =
    // Level 1 takes the whole payload, level 2 is empty (spec §5.4: an all-zero grid codes to 0 bytes).
    let f = read (rawChunkFile 0x11uy VqzLayout.LevelsChunk [| 2uy; 4uy |] (hex "01020304"))
    Assert.Equal<byte[][]>([| hex "01020304"; [||] |], streamsOf f)
    // Every stream empty, payload empty.
    let f = read (rawChunkFile 0x11uy VqzLayout.LevelsChunk [| 3uy; 0uy; 0uy |] [||])
    Assert.Equal<byte[][]>([| [||]; [||]; [||] |], streamsOf f)

[<Fact>]
let ``a LEVELS chunk that ends early is truncated, one with bytes left over is corrupt`` () =
    let e = levelsError [| 3uy; 1uy |] (hex "0102")
    Assert.Equal(VqzErrorKind.Truncated, e.Kind)
    Assert.Equal("chunks[0].levels.lengths[1]", e.Path)
    Assert.Equal(17L, e.Offset)
    let e = levelsError [||] (hex "0102")
    Assert.Equal(VqzErrorKind.Truncated, e.Kind)
    Assert.Equal("chunks[0].levels.count", e.Path)
    let e = levelsError [| 2uy; 1uy; 0uy |] (hex "0102")
    expectCorrupt 17L "chunks[0]" e
    Assert.Contains("unused", e.Reason)

[<Fact>]
let ``a second LEVELS chunk is corrupt`` () =
    let data = ReadOnlyMemory [| 2uy; 1uy |]
    let bytes = Vqz.write (file 8 8 [ VqzChunk.UnknownOptional(0x40uy, data); VqzChunk.UnknownOptional(0x41uy, data) ] (hex "0102"))
    bytes[VqzLayout.VersionOffset] <- 0x11uy
    bytes[13] <- VqzLayout.LevelsChunk
    bytes[17] <- VqzLayout.LevelsChunk
    let e = readError VqzReaderOptions.Default (withChecksum bytes)
    expectCorrupt 17L "chunks" e
    Assert.Contains("second levels chunk", e.Reason)

[<Fact>]
let ``a file that says 1.0 cannot hold LEVELS: unsupported required chunk, as a 1.0 reader says`` () =
    let e = readError VqzReaderOptions.Default (rawChunkFile 0x10uy VqzLayout.LevelsChunk [| 2uy; 1uy |] (hex "0102"))
    Assert.Equal(VqzErrorKind.UnsupportedRequiredChunk, e.Kind)
    Assert.Equal(13L, e.Offset)
    Assert.Equal("chunks[0].type", e.Path)
    Assert.Contains("0x84", e.Reason)
    // The same chunk in a file that says 1.1 (or a later 1.x) is read.
    for version in [ 0x11uy; 0x1Fuy ] do
        Assert.Equal(2, VqzLevels.count (read (rawChunkFile version VqzLayout.LevelsChunk [| 2uy; 1uy |] (hex "0102"))))
    // Required, and 1.1 is what a writer declares for it.
    Assert.Equal(VqzLayout.RequiredChunkBit, VqzLayout.LevelsChunk &&& VqzLayout.RequiredChunkBit)
    Assert.Equal(FormatVersions.V1_1, FormatVersions.required [ VqzChunk.Levels(CodeLevels.Create [ 1 ]) ])
    Assert.Equal(FormatVersions.V1_1, FormatVersions.required [ VqzChunk.Metadata [ { Key = "a"; Value = "" } ]; VqzChunk.Levels(CodeLevels.Create [ 0; 0 ]) ])

[<Fact>]
let ``the level prior is role 3 in MODEL-NAMES and EMBEDDED-MODELS, only beside LEVELS`` () =
    Assert.Equal(3uy, ModelRole.LevelPrior.Code)
    Assert.Equal(ValueSome ModelRole.LevelPrior, ModelRole.TryOfCode 3uy)
    Assert.Equal(ValueNone, ModelRole.TryOfCode 4uy)
    Assert.Equal("level-prior", string ModelRole.LevelPrior)
    let digest (s: string) = Sha256Digest.Of(ReadOnlySpan(Encoding.UTF8.GetBytes s))
    let roles = [ ModelRole.Autoencoder; ModelRole.Prior; ModelRole.LevelPrior ]
    let names = VqzChunk.ModelNames [ for r in roles -> { Role = r; Name = $"m-{r}"; Digest = digest (string r) } ]
    let embedded = VqzChunk.EmbeddedModels [ for r in roles -> { Role = r; Data = ReadOnlyMemory(Encoding.UTF8.GetBytes(String('x', 300) + string r)) } ]
    let f = VqzLevels.create (header 16 16) [ names; embedded ] [| ReadOnlyMemory(hex "01"); ReadOnlyMemory(hex "02") |]
    let back = read (Vqz.write f)

    match back.Chunks with
    | [ VqzChunk.Levels _; VqzChunk.ModelNames n; VqzChunk.EmbeddedModels m ] ->
        Assert.Equal<ModelRole list>(roles, n |> List.map (fun x -> x.Role))
        Assert.Equal<ModelRole list>(roles, m |> List.map (fun x -> x.Role))
        Assert.Equal(digest "level-prior", n[2].Digest)
    | other -> failwith $"{other}"

    // Without LEVELS, a level prior is corrupt (reader) and refused (writer).
    let lone = VqzChunk.ModelNames [ { Role = ModelRole.LevelPrior; Name = "lp"; Digest = digest "lp" } ]
    Assert.ThrowsAny<ArgumentException>(fun () -> Vqz.write (file 8 8 [ lone ] [||]) |> ignore) |> ignore
    let withNames = Vqz.write (file 8 8 [ VqzChunk.ModelNames [ { Role = ModelRole.Prior; Name = "lp"; Digest = digest "lp" } ] ] [| 1uy |])
    let roleAt = 16                                          // count 1 at 12, type 13, length 14, entries 15, role 16
    Assert.Equal(2uy, withNames[roleAt])
    withNames[roleAt] <- 3uy
    expectCorrupt 13L "chunks[0].modelNames[0].role" (readError VqzReaderOptions.Default (withChecksum withNames))
    // Four entries are one too many; a role twice is corrupt at the second.
    withNames[roleAt - 1] <- 4uy
    expectCorrupt 15L "chunks[0].modelNames.count" (readError VqzReaderOptions.Default (withChecksum withNames))

[<Fact>]
let ``a model role given twice is corrupt at the entry that repeats it`` () =
    let digest = Sha256Digest.Of(ReadOnlySpan "d"B)
    let names = VqzChunk.ModelNames [ { Role = ModelRole.Autoencoder; Name = "a"; Digest = digest }; { Role = ModelRole.Prior; Name = "p"; Digest = digest } ]
    let bytes = Vqz.write (file 8 8 [ names ] [| 1uy |])
    let second = 15 + 1 + 1 + 1 + 1 + 32                    // entries at 15: count, role, name length, "a", digest
    Assert.Equal(2uy, bytes[second])
    bytes[second] <- 1uy
    expectCorrupt (int64 second) "chunks[0].modelNames[1].role" (readError VqzReaderOptions.Default (withChecksum bytes))

[<Fact>]
let ``the writer and the constructors refuse what LEVELS cannot hold`` () =
    let bad (f: unit -> obj) = Assert.ThrowsAny<ArgumentException>(fun () -> f () |> ignore) |> ignore
    bad (fun () -> CodeLevels.Create [] :> obj)                                  // n = 1
    bad (fun () -> CodeLevels.Create(Array.zeroCreate 16) :> obj)                // n = 17
    bad (fun () -> CodeLevels.Create [ 1; -1 ] :> obj)
    bad (fun () -> CodeLevels.Create [ Int32.MaxValue; 1 ] :> obj)
    Assert.Equal(16, (CodeLevels.Create(Array.zeroCreate 15)).Count)
    bad (fun () -> VqzLevels.pack [||] :> obj)
    bad (fun () -> VqzLevels.pack (Array.create 17 ReadOnlyMemory.Empty) :> obj)
    let levels = VqzChunk.Levels(CodeLevels.Create [ 3 ])
    // LEVELS in a header that says 1.0, or with streams longer than the payload.
    bad (fun () -> Vqz.write (file 8 8 [ levels ] (hex "010203")) :> obj)
    bad (fun () -> Vqz.write { file 8 8 [ levels ] (hex "0102") with Header = { header 8 8 with Version = FormatVersions.V1_1 } } :> obj)
    bad (fun () -> VqzLevels.streams { file 8 8 [ levels ] (hex "0102") with Header = { header 8 8 with Version = FormatVersions.V1_1 } } :> obj)
    bad (fun () -> VqzLevels.create (header 8 8) [ levels ] [| ReadOnlyMemory.Empty; ReadOnlyMemory.Empty |] :> obj)
    bad (fun () -> Vqz.write (VqzLevels.create (header 8 8) [ levels; levels ] [| ReadOnlyMemory.Empty |]) :> obj)

/// A larger levels file: model names of all three roles, metadata, grid checksum, streams with a
/// two-byte length and an empty one.
let richExample () =
    let digest (s: string) = Sha256Digest.Of(ReadOnlySpan(Encoding.UTF8.GetBytes s))
    let names = VqzChunk.ModelNames [ for r in [ ModelRole.Autoencoder; ModelRole.Prior; ModelRole.LevelPrior ] -> { Role = r; Name = string r; Digest = digest (string r) } ]
    let streams = [| Array.init 130 byte; [||]; Array.init 7 (fun i -> byte (200 + i)); [| 0x55uy |] |]
    let h = { header 40 24 with Colour = ColourModel.Rgb }
    Vqz.write (VqzLevels.create h [ VqzChunk.Metadata [ { Key = "k"; Value = "v" } ]; names; VqzChunk.GridChecksum 0x01020304u ] (streams |> Array.map ReadOnlyMemory))

/// Reading gives a file or a VqzFormatException and nothing else; a file read cuts into its level
/// streams, describes itself and writes back to itself.
let private readsCleanly (bytes: byte[]) =
    match Vqz.tryReadDetailed noChecksum (ReadOnlyMemory bytes) with
    | Error e -> Assert.False(String.IsNullOrEmpty e.Path)
    | Ok r ->
        let streams = VqzLevels.streams r.File
        Assert.Equal(r.File.Payload.Length, streams |> Array.sumBy (fun s -> s.Length))
        VqzDescription.toJson r |> ignore
        let again = read (Vqz.write r.File)
        Assert.Equal(VqzLevels.count r.File, VqzLevels.count again)

[<Fact>]
let ``every truncation and every single-byte change of a levels file reads cleanly or is a typed error`` () =
    for bytes in [ Vqz.write (specExample ()); richExample () ] do
        for length in 0 .. bytes.Length - 1 do
            readsCleanly bytes[.. length - 1]
            // With the checksum verified, no truncation is accepted.
            Assert.True((Vqz.tryRead VqzReaderOptions.Default (ReadOnlyMemory bytes[.. length - 1])).IsError)

        let copy = Array.copy bytes

        for i in 0 .. bytes.Length - 1 do
            for value in 0..255 do
                if byte value <> bytes[i] then
                    copy[i] <- byte value
                    readsCleanly copy
                    Assert.True((Vqz.tryRead VqzReaderOptions.Default (ReadOnlyMemory copy)).IsError)

            copy[i] <- bytes[i]

[<Fact>]
let ``random mutations of levels files give only VqzFormatException`` () =
    let rng = Random 20261203
    let sources = [| Vqz.write (specExample ()); richExample () |]

    for i in 1..20_000 do
        let b = ResizeArray sources[i % sources.Length]

        for _ in 1 .. 1 + rng.Next 4 do
            match rng.Next 4 with
            | 0 -> let j = rng.Next b.Count in b[j] <- b[j] ^^^ (1uy <<< rng.Next 8)
            | 1 -> b[rng.Next b.Count] <- [| 0uy; 0x84uy; 0xFFuy; 0x80uy; 0x11uy; byte (rng.Next 256) |].[rng.Next 6]
            | 2 -> b.Insert(rng.Next(b.Count + 1), byte (rng.Next 256))
            | _ -> if b.Count > 1 then b.RemoveAt(rng.Next b.Count)

        readsCleanly (b.ToArray())

[<Fact>]
let ``the errors the spec derives from its LEVELS example`` () =
    let patched (at: int) (value: byte) =
        let bytes = hex specExampleBytes
        bytes[at] <- value
        readError VqzReaderOptions.Default (withChecksum bytes)

    patched 0x0F 0x01uy |> expectCorrupt 0x0FL "chunks[0].levels.count"
    patched 0x10 0x06uy |> expectCorrupt 0x10L "chunks[0].levels.lengths[0]"
    let e = patched 0x03 0x10uy
    Assert.Equal(VqzErrorKind.UnsupportedRequiredChunk, e.Kind)
    Assert.Equal(0x0DL, e.Offset)

/// Files with LEVELS for the robustness tests of other modules (MutationTests).
let levelsSamples () = [| Vqz.write (specExample ()); richExample () |]
