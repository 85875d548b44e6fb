module VqVae.Codec.Format.Tests.GridChecksumTests

open System
open Xunit
open VqVae.Codec.Format
open VqVae.Codec.Format.Tests.Samples

// Expected values from a bitwise CRC-32C (reflected polynomial 0x82F63B78), computed outside .NET.
[<Fact>]
let ``the grid checksum is CRC-32C over the symbols as 2 bytes big-endian, grid after grid`` () =
    // "12345678" read as four 16-bit big-endian symbols.
    Assert.Equal(0x6087809Au, GridChecksum.compute [ [| 0x3132; 0x3334; 0x3536; 0x3738 |] ])
    // Bytes 00 01 01 FF 01 00: two grids, [1; 511] then [256].
    Assert.Equal(0x30D90A41u, GridChecksum.compute [ [| 1; 511 |]; [| 256 |] ])
    Assert.Throws<ArgumentException>(fun () -> GridChecksum.compute [ [| 65536 |] ] |> ignore) |> ignore

[<Fact>]
let ``a grid checksum chunk takes 7 bytes, round-trips, and makes the file a 1.1 file`` () =
    let chunk = VqzChunk.GridChecksum 0xDEADBEEFu
    let plain = file 8 8 [] [| 1uy; 2uy |]
    let withChunk = { file 8 8 [ chunk ] [| 1uy; 2uy |] with Header = { plain.Header with Version = FormatVersions.required [ chunk ] } }
    let bytes = Vqz.write withChunk
    Assert.Equal((Vqz.write plain).Length + 7, bytes.Length)   // count, type, length, 4 bytes
    Assert.Equal(0x11uy, bytes[VqzLayout.VersionOffset])
    let read = Vqz.read VqzReaderOptions.Default (ReadOnlyMemory bytes)
    Assert.Equal<VqzChunk list>([ chunk ], read.Chunks)
    // Stored big-endian after the type and length bytes, as every multi-byte integer but the file checksum.
    let at = bytes.Length - 4 - 2 - 4
    Assert.Equal<byte[]>([| 0x04uy; 0x04uy; 0xDEuy; 0xADuy; 0xBEuy; 0xEFuy |], bytes[at - 2 .. at + 3])
    // Optional: a 1.0 reader skips it (bit 7 clear), so 1.1 files with it stay readable there.
    Assert.Equal(0uy, VqzLayout.GridChecksumChunk &&& VqzLayout.RequiredChunkBit)
    Assert.Equal(FormatVersions.V1_0, FormatVersions.required [])

[<Theory>]
[<InlineData(3, VqzErrorKind.Truncated)>]    // the 4-byte field runs past the chunk's data
[<InlineData(5, VqzErrorKind.Corrupt)>]      // a byte left unused at the end of the chunk
let ``a grid checksum chunk of another length than 4 is rejected`` (length: int, kind: VqzErrorKind) =
    let bytes = Vqz.write (file 8 8 [ VqzChunk.UnknownOptional(0x40uy, ReadOnlyMemory(Array.zeroCreate length)) ] [| 1uy |])
    // Turn the unknown chunk into a GRID-CHECKSUM of the wrong length, and fix the file's CRC.
    let typeAt = 13                                          // 12 header bytes for 8 x 8, then the count
    Assert.Equal(0x40uy, bytes[typeAt])
    bytes[typeAt] <- VqzLayout.GridChecksumChunk
    let crc = Vqz.checksum (ReadOnlySpan(bytes, 0, bytes.Length - 4))
    Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), crc)
    match Vqz.tryRead VqzReaderOptions.Default (ReadOnlyMemory bytes) with
    | Error e -> Assert.Equal(kind, e.Kind); Assert.StartsWith("chunks[0]", e.Path)
    | Ok _ -> failwith "accepted"
