module VqVae.Codec.Format.Tests.VarintTests

open System
open System.Buffers
open FsCheck.Xunit
open Xunit
open VqVae.Codec.Format

let private readVarint (bytes: byte[]) = Cursor(ReadOnlyMemory bytes).ReadVarint "v"

[<Property>]
let ``varints round-trip and have minimal length`` (value: uint32) =
    let w = ArrayBufferWriter<byte>()
    Emit.varint w (int64 value)
    Assert.Equal(Emit.varintLength (int64 value), w.WrittenCount)
    Assert.Equal(Ok(int64 value), readVarint (w.WrittenSpan.ToArray()))

[<Fact>]
let ``varint examples`` () =
    Assert.Equal(Ok 0L, readVarint [| 0x00uy |])
    Assert.Equal(Ok 127L, readVarint [| 0x7Fuy |])
    Assert.Equal(Ok 128L, readVarint [| 0x80uy; 0x01uy |])
    Assert.Equal(Ok 293L, readVarint [| 0xA5uy; 0x02uy |])
    Assert.Equal(Ok 4294967295L, readVarint [| 0xFFuy; 0xFFuy; 0xFFuy; 0xFFuy; 0x0Fuy |])

[<Fact>]
let ``non-minimal, over-long, too large and truncated varints are rejected`` () =
    let kind bytes =
        match readVarint bytes with
        | Error e -> e.Kind
        | Ok v -> failwith $"accepted {v}"

    Assert.Equal(VqzErrorKind.Corrupt, kind [| 0x80uy; 0x00uy |])
    Assert.Equal(VqzErrorKind.Corrupt, kind [| 0xFFuy; 0xFFuy; 0xFFuy; 0xFFuy; 0x10uy |])
    Assert.Equal(VqzErrorKind.Corrupt, kind [| 0x80uy; 0x80uy; 0x80uy; 0x80uy; 0x80uy; 0x01uy |])
    Assert.Equal(VqzErrorKind.Truncated, kind [| 0x80uy |])
    Assert.Equal(VqzErrorKind.Truncated, kind [||])
