module VqVae.Codec.Format.Tests.LimitTests

open System
open System.Diagnostics
open System.IO
open Xunit
open VqVae.Codec.Format
open VqVae.Codec.Format.Tests.Samples

/// Rejecting a header's size costs nothing that grows with the size: measured on the second call
/// (the first JIT-compiles the reader), on this thread (GC.GetAllocatedBytesForCurrentThread counts
/// every managed allocation the synchronous read makes), with the checksum verified as by default.
type HugeHeaderTests(output: Xunit.Abstractions.ITestOutputHelper) =
    [<Fact>]
    member _.``a 65535 x 65535 header is rejected in under 10 ms with under 1 MB allocated``() =
        let bytes = Vqz.write (file 65535 65535 [] (Array.zeroCreate 64))
        let attempt () = Vqz.tryRead VqzReaderOptions.Default (ReadOnlyMemory bytes)
        attempt () |> ignore
        let before = GC.GetAllocatedBytesForCurrentThread()
        let clock = Stopwatch.StartNew()
        let result = attempt ()
        let elapsed = clock.Elapsed
        let allocated = GC.GetAllocatedBytesForCurrentThread() - before
        output.WriteLine $"rejected in {elapsed.TotalMilliseconds:F3} ms with {allocated} bytes allocated"

        match result with
        | Error(LimitExceeded(_, path, "MaxPixels", value, maximum)) ->
            Assert.Equal("header.width*height", path)
            Assert.Equal(65535L * 65535L, value)
            Assert.Equal(1L <<< 28, maximum)
        | other -> failwith $"{other}"

        Assert.True(elapsed.TotalMilliseconds < 10.0, $"took {elapsed.TotalMilliseconds} ms")
        Assert.True(allocated < 1_000_000L, $"allocated {allocated} bytes")
        Assert.Throws<VqzFormatException>(fun () -> read bytes |> ignore).Kind = VqzErrorKind.LimitExceeded |> Assert.True

    [<Fact>]
    member _.``the pixel cap is configurable and checked with 64-bit arithmetic``() =
        let options = { VqzReaderOptions.Default with Limits = { VqzLimits.Default with MaxPixels = 100L } }
        Assert.True((Vqz.tryRead options (ReadOnlyMemory(Vqz.write (file 10 10 [] [||])))).IsOk)
        let e = readError options (Vqz.write (file 10 11 [] [||]))
        Assert.Equal(VqzErrorKind.LimitExceeded, e.Kind)
        Assert.Equal("header.width*height", e.Path)
        // 65535 x 65535 overflows 32 bits; with the cap raised to Int64.MaxValue it must be accepted, not wrap.
        let unbounded = { VqzReaderOptions.Default with Limits = { VqzLimits.Default with MaxPixels = Int64.MaxValue } }
        let header = (Vqz.read unbounded (ReadOnlyMemory(Vqz.write (file 65535 65535 [] [||])))).Header
        Assert.Equal((65535, 65535), (header.Width, header.Height))

[<Fact>]
let ``a side above MaxSide is rejected`` () =
    let e = readError VqzReaderOptions.Default (Vqz.write (file 70000 1 [] [||]))
    Assert.Equal(VqzErrorKind.LimitExceeded, e.Kind)
    Assert.Equal("header.width", e.Path)

[<Fact>]
let ``chunk counts and sizes are checked against the limits before reading them`` () =
    let limits = { VqzLimits.Default with MaxChunks = 1; MaxChunkBytes = 16; MaxModelBytes = 100 }
    let options = { VqzReaderOptions.Default with Limits = limits }
    let meta = VqzChunk.Metadata [ { Key = "k"; Value = "v" } ]
    let other = VqzChunk.UnknownOptional(0x40uy, ReadOnlyMemory [| 1uy |])
    Assert.Equal("chunks.count", (readError options (Vqz.write (file 8 8 [ meta; other ] [||]))).Path)
    let long = VqzChunk.Metadata [ { Key = "k"; Value = String('v', 40) } ]
    Assert.Equal("chunks[0].length", (readError options (Vqz.write (file 8 8 [ long ] [||]))).Path)
    let model = VqzChunk.EmbeddedModels [ { Role = ModelRole.Prior; Data = ReadOnlyMemory(Array.zeroCreate 101) } ]
    let e = readError options (Vqz.write (file 8 8 [ model ] [||]))
    Assert.Equal(VqzErrorKind.LimitExceeded, e.Kind)
    Assert.Equal("chunks[0].embeddedModels[0].length", e.Path)

[<Fact>]
let ``an EMBEDDED-MODELS chunk may hold three models of MaxEmbeddedModelBytes, and no more`` () =
    let options = { VqzReaderOptions.Default with Limits = { VqzLimits.Default with MaxEmbeddedModelBytes = 100 } }
    // An unknown chunk of the given length retyped as EMBEDDED-MODELS: its length is checked first.
    let retyped (length: int) =
        let bytes = Vqz.write (file 8 8 [ VqzChunk.UnknownOptional(0x40uy, ReadOnlyMemory(Array.zeroCreate length)) ] [||])
        bytes[13] <- VqzLayout.EmbeddedModelsChunk
        readError options (withChecksum bytes)

    Assert.NotEqual(VqzErrorKind.LimitExceeded, (retyped 348).Kind)     // 3 * (100 + 16)
    let e = retyped 349
    Assert.Equal(VqzErrorKind.LimitExceeded, e.Kind)
    Assert.Equal("chunks[0].length", e.Path)
    Assert.Equal("349 exceeds the limit 3 * (MaxEmbeddedModelBytes + 16) = 348", e.Reason)

[<Fact>]
let ``a declared length beyond the data is truncated, not allocated`` () =
    // Chunk section by hand: one chunk of type 0x40 declaring 2^31 - 2 bytes with 3 present.
    let head = (Vqz.write (file 8 8 [ VqzChunk.UnknownOptional(0x40uy, ReadOnlyMemory [| 9uy |]) ] [||]))
    let chunkStart = 12
    let bytes = Array.concat [ head[.. chunkStart + 1]; [| 0xFEuy; 0xFFuy; 0xFFuy; 0xFFuy; 0x07uy |]; [| 1uy; 2uy; 3uy; 0uy; 0uy; 0uy; 0uy |] ]
    let options = { VqzReaderOptions.Default with Limits = { VqzLimits.Default with MaxChunkBytes = Int32.MaxValue } }
    let e = readError options (withChecksum bytes)
    Assert.Equal(VqzErrorKind.Truncated, e.Kind)
    Assert.Equal("chunks[0].data", e.Path)

[<Fact>]
let ``an LZ4 length no block could expand to is rejected before allocating`` () =
    let data = Array.zeroCreate<byte> 1000
    let bytes = Vqz.write (file 8 8 [ VqzChunk.EmbeddedModels [ { Role = ModelRole.Prior; Data = ReadOnlyMemory data } ] ] [||])
    // The uncompressed length varint (1000 = E8 07) follows the chunk header and the role byte.
    let at = Array.IndexOf(bytes, 0xE8uy)
    Assert.Equal(0x07uy, bytes[at + 1])
    bytes[at] <- 0xFFuy
    bytes[at + 1] <- 0x7Fuy
    let e = readError VqzReaderOptions.Default (withChecksum bytes)
    Assert.Equal(VqzErrorKind.Corrupt, e.Kind)
    Assert.Equal("chunks[0].embeddedModels[0].length", e.Path)

[<Fact>]
let ``a stream longer than MaxFileBytes is rejected`` () =
    let options = { VqzReaderOptions.Default with Limits = { VqzLimits.Default with MaxFileBytes = 100L } }
    use stream = new MemoryStream(Vqz.write (file 8 8 [] (Array.zeroCreate 200)))
    let e = Assert.Throws<VqzFormatException>(fun () -> Vqz.readStream options stream |> ignore)
    Assert.Equal(VqzErrorKind.LimitExceeded, e.Kind)
