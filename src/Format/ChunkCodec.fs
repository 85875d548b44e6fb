namespace VqVae.Codec.Format

open System
open System.Buffers

/// Where a chunk was found in a file.
type ChunkPlacement =
    {
        /// The chunk's type byte.
        TypeCode: byte
        /// Offset of the type byte.
        Offset: int64
        /// Length of the chunk's data (after the type byte and length varint).
        DataLength: int64
    }

/// Parse and write of the chunk section, side by side (spec §4).
module internal ChunkCodec =
    let private readMetadata (c: Cursor) (path: string) =
        parse {
            let at = int64 c.Position
            let! count = c.ReadVarint(path + ".count")

            do!
                require (count >= 1L && count <= int64 c.Remaining / 3L) (fun () ->
                    Corrupt(at, path + ".count", $"{count} entries cannot fit in {c.Remaining} bytes"))

            let! entries =
                readMany (int count) (fun i ->
                    parse {
                        let at = int64 c.Position
                        let! key = Utf8Field.read c $"{path}[{i}].key" 1 VqzLayout.MaxNameBytes
                        let! value = Utf8Field.read c $"{path}[{i}].value" 0 Int32.MaxValue
                        return at, { Key = key; Value = value }
                    })

            let seen = Collections.Generic.HashSet<string>(StringComparer.Ordinal)

            let duplicate =
                entries |> List.tryFindIndex (fun (_, e) -> not (seen.Add e.Key))

            match duplicate with
            | Some i -> return! Error(Corrupt(fst entries[i], $"{path}[{i}].key", "duplicate key"))
            | None -> return VqzChunk.Metadata(List.map snd entries)
        }

    let private readRoles (c: Cursor) (path: string) (entry: Cursor -> string -> Result<'T, FormatError>) (role: 'T -> ModelRole) =
        parse {
            let at = int64 c.Position
            let! count = c.ReadVarint(path + ".count")

            do!
                require (count >= 1L && count <= 3L) (fun () ->
                    Corrupt(at, path + ".count", $"{count} models (one per role: 1 to 3)"))

            let! entries =
                readMany (int count) (fun j ->
                    parse {
                        let entryAt = int64 c.Position
                        let! e = entry c $"{path}[{j}]"
                        return entryAt, e
                    })

            let seen = Collections.Generic.HashSet<ModelRole>()

            match entries |> List.tryFindIndex (fun (_, e) -> not (seen.Add(role e))) with
            | Some j -> return! Error(Corrupt(fst entries[j], $"{path}[{j}].role", $"role {role (snd entries[j])} given twice"))
            | None -> return List.map snd entries
        }

    /// LEVELS (spec §4.6): n (one byte, 2 .. 16), then the stream lengths of levels 1 .. n−1 as varints.
    /// Whether they fit in the payload is checked once its length is known (checkLevels).
    let private readLevels (c: Cursor) (path: string) =
        parse {
            let at = int64 c.Position
            let! n = c.ReadByte(path + ".count")

            do!
                require (int n >= VqzLayout.MinLevels && int n <= VqzLayout.MaxLevels) (fun () ->
                    Corrupt(at, path + ".count", $"{n} code levels: a LEVELS chunk holds {VqzLayout.MinLevels} to {VqzLayout.MaxLevels} (a one-level file has none)"))

            let! lengths =
                readMany (int n - 1) (fun k ->
                    parse {
                        let lengthAt = int64 c.Position
                        let! length = c.ReadVarint $"{path}.lengths[{k}]"
                        return lengthAt, length
                    })

            // Streams that add up to more than the whole file are refused here, so the lengths fit an int.
            let fileLength = int64 c.Data.Length
            let sums = lengths |> List.scan (fun total (_, l) -> total + l) 0L |> List.tail

            match List.zip lengths sums |> List.tryFindIndex (fun (_, total) -> total > fileLength) with
            | Some k ->
                return!
                    Error(
                        Corrupt(
                            fst lengths[k],
                            $"{path}.lengths[{k}]",
                            $"the streams of levels 1 to {k + 1} add up to {sums[k]} bytes, more than the file's {fileLength}"
                        )
                    )
            | None -> return VqzChunk.Levels(CodeLevels.Create(lengths |> List.map (snd >> int)))
        }

    let private readModelName (c: Cursor) (path: string) =
        parse {
            let roleAt = int64 c.Position
            let! code = c.ReadByte(path + ".role")
            let! role =
                match ModelRole.TryOfCode code with
                | ValueSome r -> Ok r
                | ValueNone -> Error(Corrupt(roleAt, path + ".role", $"unknown model role {code}"))

            let! name = Utf8Field.read c (path + ".name") 1 VqzLayout.MaxNameBytes
            let! digest = c.ReadSlice(VqzLayout.DigestLength, path + ".sha256")
            return { Role = role; Name = name; Digest = Sha256Digest.FromBytes digest.Span }
        }

    let private readBody (limits: VqzLimits) (typeCode: byte) (c: Cursor) (path: string) =
        if typeCode = VqzLayout.MetadataChunk then
            readMetadata c (path + ".metadata")
        elif typeCode = VqzLayout.ModelNamesChunk then
            readRoles c (path + ".modelNames") readModelName (fun m -> m.Role)
            |> Result.map VqzChunk.ModelNames
        elif typeCode = VqzLayout.EmbeddedModelsChunk then
            readRoles c (path + ".embeddedModels") (EmbeddedCodec.readEntry limits) (fun m -> m.Role)
            |> Result.map VqzChunk.EmbeddedModels
        elif typeCode = VqzLayout.LevelsChunk then
            readLevels c (path + ".levels")
        elif typeCode = VqzLayout.GridChecksumChunk then
            c.ReadSlice(4, path + ".gridChecksum")
            |> Result.map (fun b -> VqzChunk.GridChecksum(Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian b.Span))
        else
            c.ReadSlice(c.Remaining, path + ".data")
            |> Result.map (fun data -> VqzChunk.UnknownOptional(typeCode, data))

    let private maxDataLength (limits: VqzLimits) (typeCode: byte) =
        if typeCode = VqzLayout.EmbeddedModelsChunk then
            // One entry per role (three since the level prior, spec §4.4), each at most this long.
            3L * (int64 limits.MaxEmbeddedModelBytes + 16L)
        else
            int64 limits.MaxChunkBytes

    /// Whether a file of `version` may hold the required chunk type: LEVELS only from 1.1 on (spec §4.6),
    /// so a file that says 1.0 gets from this reader what a 1.0 reader gives it.
    let private knownRequired (version: FormatVersion) (typeCode: byte) =
        typeCode = VqzLayout.LevelsChunk && version.Minor >= 1

    let private readChunk (limits: VqzLimits) (version: FormatVersion) (c: Cursor) (i: int) =
        parse {
            let path = $"chunks[{i}]"
            let at = int64 c.Position
            let! typeCode = c.ReadByte(path + ".type")

            let known =
                (typeCode >= VqzLayout.MetadataChunk && typeCode <= VqzLayout.LastKnownChunk)
                || knownRequired version typeCode

            do!
                require (known || typeCode &&& VqzLayout.RequiredChunkBit = 0uy) (fun () ->
                    UnsupportedRequiredChunk(at, path + ".type", typeCode))

            do! require (typeCode <> 0uy) (fun () -> Corrupt(at, path + ".type", "chunk type 0 is reserved"))
            let lengthAt = int64 c.Position
            let! length = c.ReadVarint(path + ".length")
            let maximum = maxDataLength limits typeCode

            let limitName =
                if typeCode = VqzLayout.EmbeddedModelsChunk then "3 * (MaxEmbeddedModelBytes + 16)" else "MaxChunkBytes"

            do!
                require (length <= maximum) (fun () ->
                    LimitExceeded(lengthAt, path + ".length", limitName, length, maximum))

            let! _ = c.ReadSlice(int length, path + ".data")
            let inner = Cursor(c.Data, c.Position - int length, c.Position)
            let! chunk = readBody limits typeCode inner path

            do!
                require (inner.Remaining = 0) (fun () ->
                    Corrupt(int64 inner.Position, path, $"{inner.Remaining} unused byte(s) at the end of the chunk"))

            return chunk, { TypeCode = typeCode; Offset = at; DataLength = length }
        }

    /// The model entries of a MODEL-NAMES or EMBEDDED-MODELS chunk: (field name, roles), else None.
    let private rolesOf (chunk: VqzChunk) =
        match chunk with
        | VqzChunk.ModelNames names -> Some("modelNames", names |> List.map (fun n -> n.Role))
        | VqzChunk.EmbeddedModels models -> Some("embeddedModels", models |> List.map (fun m -> m.Role))
        | _ -> None

    /// A level-prior model (role 3) belongs to a file with LEVELS only (spec §4.3, §4.6).
    let private checkLevelPriorRoles (chunks: (VqzChunk * ChunkPlacement) list) =
        let hasLevels = chunks |> List.exists (fun (chunk, _) -> chunk.TypeCode = VqzLayout.LevelsChunk)

        let stray =
            chunks
            |> List.indexed
            |> List.tryPick (fun (i, (chunk, place)) ->
                match rolesOf chunk with
                | Some(field, roles) when not hasLevels ->
                    roles
                    |> List.tryFindIndex ((=) ModelRole.LevelPrior)
                    |> Option.map (fun j -> place.Offset, $"chunks[{i}].{field}[{j}].role")
                | _ -> None)

        match stray with
        | Some(offset, path) -> Error(Corrupt(offset, path, "a level-prior model in a file without a LEVELS chunk"))
        | None -> Ok()

    /// The chunk section: varint count (1 .. MaxChunks), then each chunk (spec §4.1).
    let read (limits: VqzLimits) (version: FormatVersion) (c: Cursor) =
        parse {
            let at = int64 c.Position
            let! count = c.ReadVarint "chunks.count"
            do! require (count >= 1L) (fun () -> Corrupt(at, "chunks.count", "the chunk flag is set but there are no chunks"))

            do!
                require (count <= int64 limits.MaxChunks) (fun () ->
                    LimitExceeded(at, "chunks.count", "MaxChunks", count, int64 limits.MaxChunks))

            let! chunks = readMany (int count) (readChunk limits version c)
            let seen = Collections.Generic.HashSet<byte>()

            let duplicate =
                chunks
                |> List.tryFind (fun (chunk, _) ->
                    match chunk with
                    | VqzChunk.UnknownOptional _ -> false
                    | _ -> not (seen.Add chunk.TypeCode))

            match duplicate with
            | Some(chunk, place) ->
                return! Error(Corrupt(place.Offset, "chunks", $"a second {chunk.KindName} chunk"))
            | None ->
                do! checkLevelPriorRoles chunks
                return chunks
        }

    /// Checks that the streams of levels 1 .. n−1 leave level n's in the payload (spec §4.6); the error
    /// names the first length that crosses the payload's end, at its varint's offset.
    let checkLevels (chunks: (VqzChunk * ChunkPlacement) list) (payloadLength: int) =
        chunks
        |> List.indexed
        |> List.tryPick (fun (i, (chunk, place)) ->
            match chunk with
            | VqzChunk.Levels levels when levels.LeadingTotal > int64 payloadLength ->
                // Varints are minimal, so each field's offset follows from the values before it.
                let dataAt = place.Offset + 1L + int64 (Emit.varintLength place.DataLength)
                let lengths = levels.LeadingLengths
                let mutable at = dataAt + 1L
                let mutable total = 0L
                let mutable k = 0

                while total + int64 lengths[k] <= int64 payloadLength do
                    total <- total + int64 lengths[k]
                    at <- at + int64 (Emit.varintLength (int64 lengths[k]))
                    k <- k + 1

                let path = $"chunks[{i}].levels.lengths[{k}]"
                let reason = $"the streams of levels 1 to {k + 1} need {total + int64 lengths[k]} bytes, the payload has {payloadLength}"
                Some(Corrupt(at, path, reason))
            | _ -> None)
        |> function
            | Some e -> Error e
            | None -> Ok()

    let private writeBody (w: IBufferWriter<byte>) (chunk: VqzChunk) =
        match chunk with
        | VqzChunk.Metadata entries ->
            Emit.varint w (int64 (List.length entries))

            for e in entries do
                Utf8Field.write w "metadata key" 1 VqzLayout.MaxNameBytes e.Key
                Utf8Field.write w "metadata value" 0 Int32.MaxValue e.Value
        | VqzChunk.ModelNames names ->
            Emit.varint w (int64 (List.length names))

            for n in names do
                Emit.u8 w n.Role.Code
                Utf8Field.write w "model name" 1 VqzLayout.MaxNameBytes n.Name
                let digest = w.GetSpan VqzLayout.DigestLength
                n.Digest.CopyTo digest
                w.Advance VqzLayout.DigestLength
        | VqzChunk.EmbeddedModels models ->
            Emit.varint w (int64 (List.length models))

            for m in models do
                EmbeddedCodec.writeEntry w m
        | VqzChunk.GridChecksum crc ->
            let span = w.GetSpan 4
            Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(span, crc)
            w.Advance 4
        | VqzChunk.Levels levels ->
            Emit.u8 w (byte levels.Count)

            for length in levels.LeadingLengths do
                Emit.varint w (int64 length)
        | VqzChunk.UnknownOptional(_, data) -> Emit.bytes w data.Span

    let private validate (chunks: VqzChunk list) =
        let known = chunks |> List.filter (function VqzChunk.UnknownOptional _ -> false | _ -> true)

        if known |> List.countBy (fun c -> c.TypeCode) |> List.exists (fun (_, n) -> n > 1) then
            invalidArg "chunks" "each known chunk kind may occur once"

        for chunk in chunks do
            match chunk with
            | VqzChunk.Metadata entries ->
                if entries.IsEmpty then invalidArg "chunks" "a metadata chunk needs at least one entry"

                if entries |> List.distinctBy (fun e -> e.Key) |> List.length <> entries.Length then
                    invalidArg "chunks" "metadata keys must be unique"
            | VqzChunk.ModelNames names ->
                if names.IsEmpty || names.Length > 3 || (names |> List.distinctBy (fun n -> n.Role)).Length <> names.Length then
                    invalidArg "chunks" "model names: one to three entries, one per role"
            | VqzChunk.EmbeddedModels models ->
                if models.IsEmpty || models.Length > 3 || (models |> List.distinctBy (fun m -> m.Role)).Length <> models.Length then
                    invalidArg "chunks" "embedded models: one to three entries, one per role"
            | VqzChunk.GridChecksum _
            | VqzChunk.Levels _ -> ()
            | VqzChunk.UnknownOptional(t, _) ->
                if t = 0uy || t &&& VqzLayout.RequiredChunkBit <> 0uy || t <= VqzLayout.LastKnownChunk then
                    invalidArg "chunks" $"0x%02x{t} is not an unknown optional chunk type"

        let hasLevels = chunks |> List.exists (fun c -> c.TypeCode = VqzLayout.LevelsChunk)

        if not hasLevels && chunks |> List.exists (fun c -> rolesOf c |> Option.exists (snd >> List.contains ModelRole.LevelPrior)) then
            invalidArg "chunks" "a level-prior model needs a LEVELS chunk"

    /// Writes the chunk section; nothing when there are no chunks (spec §4.1).
    let write (w: IBufferWriter<byte>) (chunks: VqzChunk list) =
        validate chunks

        if not chunks.IsEmpty then
            Emit.varint w (int64 chunks.Length)

            for chunk in chunks do
                let body = ArrayBufferWriter<byte>()
                writeBody body chunk
                Emit.u8 w chunk.TypeCode
                Emit.varint w (int64 body.WrittenCount)
                Emit.bytes w body.WrittenSpan
