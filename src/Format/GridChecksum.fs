namespace VqVae.Codec.Format

open System
open System.Buffers.Binary
open System.IO.Hashing

/// The check value of the GRID-CHECKSUM chunk (spec §4.5): CRC-32C over every symbol of the code
/// grids, level by level, each level in raster order, each symbol as 2 bytes big-endian. A decoder
/// that computed one frequency table differently decodes other symbols and gets another value.
[<RequireQualifiedAccess>]
module GridChecksum =
    /// The CRC-32C of the symbols of the grids (every symbol in 0 .. 65535), in the given order.
    let compute (grids: int[] seq) : uint32 =
        let crc = Crc32(Crc32ParameterSet.Crc32C)
        let buffer = Array.zeroCreate<byte> 8192

        for grid in grids do
            let mutable i = 0

            while i < grid.Length do
                let n = min (buffer.Length / 2) (grid.Length - i)

                for j in 0 .. n - 1 do
                    let s = grid[i + j]
                    if s < 0 || s > 0xFFFF then invalidArg "grids" $"symbol {s} is not a 16-bit value"
                    BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2 * j), uint16 s)

                crc.Append(ReadOnlySpan(buffer, 0, 2 * n))
                i <- i + n

        crc.GetCurrentHashAsUInt32()

/// The versions a writer chooses from (spec §1.2): a file is written with the lowest version that
/// defines every chunk it carries, so files without the chunks of 1.1 keep the bytes of 1.0.
[<RequireQualifiedAccess>]
module FormatVersions =
    /// 1.0: METADATA, MODEL-NAMES, EMBEDDED-MODELS.
    let V1_0: FormatVersion = { Major = 1; Minor = 0 }

    /// 1.1: adds GRID-CHECKSUM and LEVELS (with the level-prior model role).
    let V1_1: FormatVersion = { Major = 1; Minor = 1 }

    /// The lowest version whose chunk types include every chunk of the list.
    let required (chunks: VqzChunk list) =
        let of1_1 =
            function
            | VqzChunk.GridChecksum _
            | VqzChunk.Levels _ -> true
            | _ -> false

        if chunks |> List.exists of1_1 then V1_1 else V1_0
