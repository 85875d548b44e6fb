namespace VqVae.Codec.Format

open System
open System.Buffers
open System.Text

/// Length-prefixed UTF-8 strings of the chunks (spec §2.3): varint byte length, then strict UTF-8.
module internal Utf8Field =
    let private strict = UTF8Encoding(false, true)

    let read (c: Cursor) (path: string) (minBytes: int) (maxBytes: int) =
        parse {
            let at = int64 c.Position
            let! length = c.ReadVarint(path + ".length")

            do!
                require (length >= int64 minBytes && length <= int64 maxBytes) (fun () ->
                    Corrupt(at, path, $"string length {length} is outside {minBytes} .. {maxBytes}"))

            let! bytes = c.ReadSlice(int length, path)

            return!
                try
                    Ok(strict.GetString bytes.Span)
                with :? DecoderFallbackException ->
                    Error(Corrupt(at, path, "invalid UTF-8"))
        }

    let write (w: IBufferWriter<byte>) (what: string) (minBytes: int) (maxBytes: int) (s: string) =
        let bytes = strict.GetBytes s

        if bytes.Length < minBytes || bytes.Length > maxBytes then
            invalidArg what $"{what} must have {minBytes} .. {maxBytes} UTF-8 bytes, not {bytes.Length}"

        Emit.varint w (int64 bytes.Length)
        Emit.bytes w (ReadOnlySpan bytes)
