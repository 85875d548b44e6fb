namespace VqVae.Codec.Format

open System.IO
open System.Text
open System.Text.Encodings.Web
open System.Text.Json

/// A readable description of a file as JSON: what `vqz info --json` prints and what the golden
/// header snapshots hold. Field names are stable; new fields may be added.
[<RequireQualifiedAccess>]
module VqzDescription =
    let private tiling =
        function
        | PriorTiling.WholeGrid -> "whole-grid"
        | PriorTiling.Tiles side -> string side.Latents

    let private colour =
        function
        | ColourModel.Grayscale -> "grayscale"
        | ColourModel.Rgb -> "rgb"

    let private coding =
        function
        | CodingScheme.RangeCoder16 -> "range-coder-16"

    let private writeChunk (j: Utf8JsonWriter) (payloadLength: int64) (chunk: VqzChunk) (place: ChunkPlacement) =
        j.WriteStartObject()
        j.WriteString("type", chunk.KindName)
        j.WriteNumber("offset", place.Offset)
        j.WriteNumber("dataLength", place.DataLength)

        match chunk with
        | VqzChunk.Metadata entries ->
            j.WriteStartObject "entries"

            for e in entries do
                j.WriteString(e.Key, e.Value)

            j.WriteEndObject()
        | VqzChunk.ModelNames names ->
            j.WriteStartArray "models"

            for n in names do
                j.WriteStartObject()
                j.WriteString("role", string n.Role)
                j.WriteString("name", n.Name)
                j.WriteString("sha256", n.Digest.Hex)
                j.WriteEndObject()

            j.WriteEndArray()
        | VqzChunk.EmbeddedModels models ->
            j.WriteStartArray "models"

            for m in models do
                j.WriteStartObject()
                j.WriteString("role", string m.Role)
                j.WriteNumber("length", m.Data.Length)
                // The model's digest (spec §3.6) when the data is a model file, so it equals the
                // MODEL-NAMES digest of the same model; data that is no model file (which the codec layer
                // rejects) has no model digest, and its SHA-256 is shown (spec §10).
                let digest =
                    match Sha256Digest.TryOfModelFile m.Data.Span with
                    | ValueSome d -> d
                    | ValueNone -> Sha256Digest.Of m.Data.Span

                j.WriteString("sha256", digest.Hex)
                j.WriteEndObject()

            j.WriteEndArray()
        | VqzChunk.GridChecksum crc -> j.WriteString("crc32c", crc.ToString "x8")
        | VqzChunk.Levels levels ->
            j.WriteNumber("levels", levels.Count)
            j.WriteStartArray "streamLengths"

            // All n: level n's is what the payload leaves (a file that was read always leaves ≥ 0).
            match levels.StreamLengths(int payloadLength) with
            | ValueSome lengths ->
                for l in lengths do
                    j.WriteNumberValue l
            | ValueNone ->
                for l in levels.LeadingLengths do
                    j.WriteNumberValue l

            j.WriteEndArray()
        | VqzChunk.UnknownOptional _ -> ()

        j.WriteEndObject()

    /// The file's header, chunks and layout as indented JSON (LF line ends).
    let toJson (result: VqzReadResult) =
        let h = result.File.Header
        let p = result.Placement
        use stream = new MemoryStream()

        do
            use j =
                new Utf8JsonWriter(stream, JsonWriterOptions(Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping))

            j.WriteStartObject()
            j.WriteString("version", string h.Version)
            j.WriteNumber("width", h.Width)
            j.WriteNumber("height", h.Height)
            j.WriteString("colourModel", colour h.Colour)
            j.WriteNumber("downsampling", h.Downsampling.Factor)
            j.WriteNumber("latentWidth", h.LatentWidth)
            j.WriteNumber("latentHeight", h.LatentHeight)
            j.WriteString("priorTiling", tiling h.Tiling)
            j.WriteString("coding", coding h.Coding)
            j.WriteString("modelsTag", string h.ModelsTag)
            j.WriteStartArray "chunks"
            List.iter2 (writeChunk j p.PayloadLength) result.File.Chunks p.Chunks
            j.WriteEndArray()
            j.WriteNumber("headerLength", p.HeaderLength)
            j.WriteNumber("payloadOffset", p.PayloadOffset)
            j.WriteNumber("payloadLength", p.PayloadLength)
            j.WriteNumber("overheadLength", p.OverheadLength)
            j.WriteNumber("fileLength", p.FileLength)
            j.WriteString("crc32c", p.Checksum.ToString "x8")
            j.WriteEndObject()

        Encoding.UTF8.GetString(stream.ToArray()) + "\n"
