namespace VqVae.Codec.Format

open System
open System.Buffers
open System.Buffers.Binary
open System.IO
open System.IO.Hashing

/// A whole .vqz file: header, optional chunks, payload (spec §2). The checksum is computed on write.
type VqzFile =
    {
        /// The fixed fields.
        Header: VqzHeader
        /// Optional chunks, in file order; empty for the smallest files.
        Chunks: VqzChunk list
        /// The range-coded latent grid (spec §5), up to the checksum.
        Payload: ReadOnlyMemory<byte>
    }

/// Where the parts of a file lie, as read.
type VqzPlacement =
    {
        /// Length of the whole file.
        FileLength: int64
        /// Bytes from the magic to the end of the models tag.
        HeaderLength: int
        /// Each chunk's type, offset and data length.
        Chunks: ChunkPlacement list
        /// Offset of the payload.
        PayloadOffset: int64
        /// Length of the payload.
        PayloadLength: int64
        /// The stored CRC-32C.
        Checksum: uint32
    }

    /// Everything but the payload.
    member this.OverheadLength = this.FileLength - this.PayloadLength

/// A file and where its parts were found.
type VqzReadResult =
    {
        /// The file.
        File: VqzFile
        /// Offsets and lengths of its parts.
        Placement: VqzPlacement
    }

/// Reading and writing .vqz files (spec §2-§4, §7).
[<RequireQualifiedAccess>]
module Vqz =
    /// CRC-32C of the data (spec §3.9).
    let checksum (data: ReadOnlySpan<byte>) =
        Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data)

    /// Reads a file, returning the first error found (spec §7 gives the order of the checks).
    let tryReadDetailed (options: VqzReaderOptions) (data: ReadOnlyMemory<byte>) : Result<VqzReadResult, FormatError> =
        parse {
            let length = data.Length
            let limits = options.Limits

            do!
                require (int64 length <= limits.MaxFileBytes) (fun () ->
                    LimitExceeded(0L, "file", "MaxFileBytes", int64 length, limits.MaxFileBytes))

            let! version = HeaderCodec.readVersion (Cursor data)

            do!
                require (length >= VqzLayout.MinimumFileLength) (fun () ->
                    Truncated(int64 length, "file", int64 VqzLayout.MinimumFileLength, int64 length))

            let checksumAt = length - VqzLayout.ChecksumLength
            let stored = BinaryPrimitives.ReadUInt32LittleEndian(data.Span.Slice checksumAt)

            if options.VerifyChecksum then
                let computed = checksum (data.Span.Slice(0, checksumAt))

                do!
                    require (computed = stored) (fun () -> ChecksumMismatch(int64 checksumAt, stored, computed))

            let c = Cursor(data, VqzLayout.LayoutOffset, checksumAt)
            let! header, hasChunks = HeaderCodec.readRest limits version c
            let headerLength = c.Position
            let! chunks = if hasChunks then ChunkCodec.read limits version c else Ok []
            let payloadOffset = c.Position
            let! payload = c.ReadSlice(c.Remaining, "payload")
            do! ChunkCodec.checkLevels chunks payload.Length

            return
                {
                    File = { Header = header; Chunks = List.map fst chunks; Payload = payload }
                    Placement =
                        {
                            FileLength = int64 length
                            HeaderLength = headerLength
                            Chunks = List.map snd chunks
                            PayloadOffset = int64 payloadOffset
                            PayloadLength = int64 payload.Length
                            Checksum = stored
                        }
                }
        }

    /// Reads a file, returning the first error found.
    let tryRead (options: VqzReaderOptions) (data: ReadOnlyMemory<byte>) =
        tryReadDetailed options data |> Result.map (fun r -> r.File)

    /// Reads a file and where its parts lie; raises VqzFormatException.
    let readDetailed (options: VqzReaderOptions) (data: ReadOnlyMemory<byte>) =
        match tryReadDetailed options data with
        | Ok r -> r
        | Error e -> raise (VqzFormatException e)

    /// Reads a file; raises VqzFormatException.
    let read (options: VqzReaderOptions) (data: ReadOnlyMemory<byte>) = (readDetailed options data).File

    /// Reads a whole stream after checking its length against MaxFileBytes when the stream knows it.
    let readStream (options: VqzReaderOptions) (stream: Stream) =
        if stream.CanSeek && stream.Length - stream.Position > options.Limits.MaxFileBytes then
            raise (
                VqzFormatException(
                    LimitExceeded(0L, "file", "MaxFileBytes", stream.Length - stream.Position, options.Limits.MaxFileBytes)
                )
            )

        use buffer = new MemoryStream()
        let chunk = Array.zeroCreate<byte> 81920
        let mutable n = stream.Read(chunk, 0, chunk.Length)

        while n > 0 do
            if buffer.Length + int64 n > options.Limits.MaxFileBytes then
                raise (
                    VqzFormatException(
                        LimitExceeded(0L, "file", "MaxFileBytes", buffer.Length + int64 n, options.Limits.MaxFileBytes)
                    )
                )

            buffer.Write(chunk, 0, n)
            n <- stream.Read(chunk, 0, chunk.Length)

        read options (ReadOnlyMemory(buffer.GetBuffer(), 0, int buffer.Length))

    /// Writes a file: header, chunks, payload, CRC-32C (spec §2). Raises ArgumentException for values
    /// the format cannot hold (a side of 0, a duplicate chunk, an over-long name, LEVELS in a 1.0 file or
    /// with stream lengths the payload does not hold).
    let writeTo (w: IBufferWriter<byte>) (file: VqzFile) =
        for chunk in file.Chunks do
            match chunk with
            | VqzChunk.Levels levels ->
                if file.Header.Version.Minor < 1 then
                    invalidArg "file" "a LEVELS chunk needs format version 1.1 or later"

                if levels.LeadingTotal > int64 file.Payload.Length then
                    invalidArg "file" $"the LEVELS chunk's streams need {levels.LeadingTotal} bytes, the payload has {file.Payload.Length}"
            | _ -> ()

        let body = ArrayBufferWriter<byte>()
        HeaderCodec.write body file.Header (not file.Chunks.IsEmpty)
        ChunkCodec.write body file.Chunks
        Emit.bytes body file.Payload.Span
        Emit.bytes w body.WrittenSpan
        let trailer = w.GetSpan VqzLayout.ChecksumLength
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, checksum body.WrittenSpan)
        w.Advance VqzLayout.ChecksumLength

    /// Writes a file to a new array.
    let write (file: VqzFile) =
        let w = ArrayBufferWriter<byte>()
        writeTo w file
        w.WrittenSpan.ToArray()
