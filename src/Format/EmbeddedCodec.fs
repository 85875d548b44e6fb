namespace VqVae.Codec.Format

open System
open System.Buffers
open K4os.Compression.LZ4

/// EMBEDDED-MODELS entries: role, uncompressed length, compressed length, LZ4 block (spec §4.4).
module internal EmbeddedCodec =
    /// An LZ4 block expands at most 255-fold (a match length byte adds at most 255 bytes); a declared
    /// length beyond this bound cannot be honest, so it is rejected before the buffer is allocated.
    let maxExpansion = 255L

    let readEntry (limits: VqzLimits) (c: Cursor) (path: string) =
        parse {
            let roleAt = int64 c.Position
            let! code = c.ReadByte(path + ".role")
            let! role =
                match ModelRole.TryOfCode code with
                | ValueSome r -> Ok r
                | ValueNone -> Error(Corrupt(roleAt, path + ".role", $"unknown model role {code}"))

            let rawAt = int64 c.Position
            let! rawLength = c.ReadVarint(path + ".length")
            let packedAt = int64 c.Position
            let! packedLength = c.ReadVarint(path + ".compressedLength")
            do! require (rawLength >= 1L) (fun () -> Corrupt(rawAt, path + ".length", "empty model"))

            do!
                require (rawLength <= int64 limits.MaxModelBytes) (fun () ->
                    LimitExceeded(rawAt, path + ".length", "MaxModelBytes", rawLength, int64 limits.MaxModelBytes))

            do!
                require (packedLength <= int64 limits.MaxEmbeddedModelBytes) (fun () ->
                    LimitExceeded(
                        packedAt,
                        path + ".compressedLength",
                        "MaxEmbeddedModelBytes",
                        packedLength,
                        int64 limits.MaxEmbeddedModelBytes
                    ))

            do! c.Need(packedLength, path + ".data")

            do!
                require (rawLength <= packedLength * maxExpansion) (fun () ->
                    Corrupt(rawAt, path + ".length", $"{rawLength} bytes cannot come from {packedLength} LZ4 bytes"))

            let dataAt = int64 c.Position
            let! packed = c.ReadSlice(int packedLength, path + ".data")
            let raw = Array.zeroCreate<byte> (int rawLength)

            let decoded =
                try
                    LZ4Codec.Decode(packed.Span, Span raw)
                with _ ->
                    -1

            do!
                require (decoded = raw.Length) (fun () ->
                    Corrupt(dataAt, path + ".data", "the LZ4 block does not decode to the declared length"))

            return { Role = role; Data = ReadOnlyMemory raw }
        }

    let writeEntry (w: IBufferWriter<byte>) (m: EmbeddedModel) =
        if m.Data.IsEmpty then
            invalidArg "model" "an embedded model cannot be empty"

        let packed = Array.zeroCreate<byte> (LZ4Codec.MaximumOutputSize m.Data.Length)
        let packedLength = LZ4Codec.Encode(m.Data.Span, Span packed, LZ4Level.L00_FAST)
        Emit.u8 w m.Role.Code
        Emit.varint w (int64 m.Data.Length)
        Emit.varint w (int64 packedLength)
        Emit.bytes w (ReadOnlySpan(packed, 0, packedLength))
