namespace VqVae.Codec.Pipeline

open System
open System.Diagnostics
open System.Threading
open TorchSharp
open VqVae.Codec.Entropy
open VqVae.Codec.Format
open VqVae.Codec.Models.Data
open VqVae.Codec.Prior
open VqVae.Codec.Models.Files
open VqVae.Codec.Models.Networks

/// Where the time of one encode or decode went, in milliseconds.
type CodecTimings =
    {
        /// VQ-VAE encoder (encode) or decoder (decode).
        NetworkMs: float
        /// Prior evaluation and range coding.
        EntropyMs: float
        /// Decoding the written file again (encode with Verify).
        VerifyMs: float
    }

/// One encoded image.
type EncodedImage =
    {
        /// The .vqz file.
        Bytes: byte[]
        /// Its header.
        Header: VqzHeader
        /// The code grids of its levels, level 1 first (each raster order, LatentHeight x LatentWidth).
        Grids: int[][]
        /// The models that coded it.
        Models: CodecModels
        /// The decoder's image, when the file was verified by decoding it.
        Reconstruction: RgbImage option
        /// Where the time went.
        Timings: CodecTimings
    }

    /// The level-1 code grid.
    member this.Codes = this.Grids[0]

/// One decoded image.
type DecodedImage =
    {
        /// The reconstruction, at the original size; SourceChannels 1 for a grayscale file.
        Image: RgbImage
        /// The file's header.
        Header: VqzHeader
        /// The decoded code grids of its levels, level 1 first.
        Grids: int[][]
        /// The models that decoded it.
        Models: CodecModels
        /// Where the time went.
        Timings: CodecTimings
    }

    /// The level-1 code grid.
    member this.Codes = this.Grids[0]

/// The image codec (a thin facade over the pieces):
///
///   encode:  image --pad--> VQ-VAE encoder + nearest prototype --> code grid (and residual levels)
///                     --prior (deterministic, tiled) + range coder--> payload (level 1)
///                     --level prior (deterministic, checkerboard) + range coder--> one stream per further level
///                     --header, chunks, CRC-32C--> .vqz bytes  [--decode again--> verified]
///   decode:  .vqz bytes --parse--> header (models tag) --catalogue--> models
///                     --prior + range decoder, step by step--> code grid
///                     --prototypes + VQ-VAE decoder--> image --crop--> original size
///
/// No console I/O; cancellation is honoured between steps.
[<RequireQualifiedAccess>]
module ImageCodec =
    let private elapsedMs (clock: Stopwatch) = clock.Elapsed.TotalMilliseconds

    let private device (options: CodecOptions) =
        match options.Device with
        | ComputeDevice.Cpu -> torch.CPU
        | ComputeDevice.Cuda ->
            if not (torch.cuda.is_available ()) then
                raise (
                    NotSupportedException(
                        "--device cuda: this vqz is built with TorchSharp-cpu or no CUDA device is visible; build with -p:TorchBackend=cuda on a machine with CUDA (README, GPU)"
                    )
                )

            torch.CUDA

    let private tiling (side: int) =
        if side = 0 then
            PriorTiling.WholeGrid
        else
            match TileSide.TryOf side with
            | ValueSome s -> PriorTiling.Tiles s
            | ValueNone -> raise (VqVae.Codec.Models.InvalidOptionsException $"tile side {side} is not 0 or a power of two from 4 to 256")

    let private tileSideOf (t: PriorTiling) =
        match t with
        | PriorTiling.WholeGrid -> 0
        | PriorTiling.Tiles s -> s.Latents

    /// Intra-op threads of the VQ-VAE on the CPU, whatever --threads says. libtorch's convolutions
    /// split their sums between threads, so their results depend on the thread count (measured with
    /// the thesis-size network on a 256 x 192 image: 1, 2 and 4 threads agree, 7 threads change about
    /// a third of the decoder's 147,456 outputs, tests/Codec.Tests/BitExactTests.fs). One fixed count
    /// makes the pixels of a file, and the codes of an image, the same at every --threads and on every
    /// CPU core count. Two, not one: the 768 x 512 photo of `vqz bench codec` encodes in 2.0 s with one
    /// (the 2 s budget of the high preset), and 1 and 2 give the same floats. (libtorch's OpenMP thread
    /// count is per OS thread: it is set on the thread that runs the network, right before it runs.)
    [<Literal>]
    let NetworkThreads = 2

    /// Most pixels of same-sized images that go through the VQ-VAE in one forward pass (a single image of
    /// more still goes alone). Larger batches only add allocations above glibc's mmap threshold, which the
    /// kernel zero-fills page by page on every pass: 256 thumbnails of 32 x 32 at once spent a fifth of the
    /// CPU time of `vqz compress` in page faults (perf, 2026-12-07). The images of a batch are independent,
    /// so the split changes no bit of any file (ImageCodecTests).
    [<Literal>]
    let NetworkBatchPixels = 65536

    /// The images of one size that go through the VQ-VAE together.
    let internal forwardBatch (width: int) (height: int) = max 1 (NetworkBatchPixels / max 1 (width * height))

    /// Runs `run` (a network call) with NetworkThreads intra-op threads on this thread (CPU only).
    let internal onNetworkThreads (options: CodecOptions) (run: unit -> 'T) =
        if options.Device <> ComputeDevice.Cpu then
            run ()
        else
            let before = torch.get_num_threads ()
            torch.set_num_threads NetworkThreads

            try
                run ()
            finally
                torch.set_num_threads before

    let private analyseWith (models: CodecModels) (options: CodecOptions) (levels: int) (images: RgbImage[]) : int[][][] =
        let network = models.VqVae.Network
        let dev = device options
        network.``to``(dev) |> ignore
        let f = network.Architecture.Downsampling
        let tile = NetworkTiles.TileLatents(network.Architecture, options.NetworkTilePixels)
        let latents (pixels: int) = Padding.RoundUp(pixels, f) / f
        let choice = VqVae.Codec.Models.Quantizers.CodeChoice.EntropyConstrained options.RateLambda

        if NetworkTiles.IsOneTile(latents images[0].Height, latents images[0].Width, tile) then
            // One tile: each forward batch through the network at once (the files of before tiling, byte for byte).
            let forward (part: RgbImage[]) =
                use scope = torch.NewDisposeScope()
                let x = Padding.ToMultiple(ImageTensors.ToTensor(part, dev), f)
                let grids = if levels = 1 then [| network.EncodeToCodes(x, choice) |] else network.EncodeToLevels(x, levels, choice)

                let perLevel =
                    grids
                    |> Array.map (fun codes ->
                        let all = codes.cpu().to_type(torch.ScalarType.Int32).data<int>().ToArray()
                        let n = all.Length / part.Length
                        Array.init part.Length (fun i -> Array.sub all (i * n) n))

                Array.init part.Length (fun i -> perLevel |> Array.map (fun level -> level[i]))

            images |> Array.chunkBySize (forwardBatch images[0].Width images[0].Height) |> Array.collect forward
        else
            images |> Array.map (fun image -> NetworkTiles.Encode(network, image, levels, tile, choice, dev))

    /// The code grids of the first `levels` levels of same-sized images under the VQ-VAE (edge-padded to a
    /// multiple of the downsampling): per image, level 1 first.
    let analyse (models: CodecModels) (options: CodecOptions) (levels: int) (images: RgbImage[]) : int[][][] =
        onNetworkThreads options (fun () -> analyseWith models options levels images)

    let private toGray (image: RgbImage) =
        let p = image.Pixels

        for i in 0 .. p.Length / 3 - 1 do
            let v = byte ((int p[3 * i] + int p[3 * i + 1] + int p[3 * i + 2] + 1) / 3)
            p[3 * i] <- v
            p[3 * i + 1] <- v
            p[3 * i + 2] <- v

        RgbImage(image.Width, image.Height, p, SourceChannels = 1)

    let private synthesiseWith (models: CodecModels) (options: CodecOptions) (header: VqzHeader) (grids: int[][][]) : RgbImage[] =
        let network = models.VqVae.Network
        let dev = device options
        network.``to``(dev) |> ignore
        let tile = NetworkTiles.TileLatents(network.Architecture, options.NetworkTilePixels)

        let images =
            if NetworkTiles.IsOneTile(header.LatentHeight, header.LatentWidth, tile) then
                let levels = grids[0].Length

                let forward (part: int[][][]) =
                    use scope = torch.NewDisposeScope()

                    let codesOf (level: int) =
                        let flat = part |> Array.collect (fun g -> Array.map int64 g[level])
                        torch.tensor(flat, ReadOnlySpan [| int64 part.Length; int64 header.LatentHeight; int64 header.LatentWidth |], device = dev)

                    let pixels =
                        if levels = 1 then network.DecodeCodes(codesOf 0) else network.DecodeLevels(Array.init levels codesOf)

                    let cropped = pixels.narrow(2, 0L, int64 header.Height).narrow(3, 0L, int64 header.Width)
                    ImageTensors.ToImages cropped

                grids |> Array.chunkBySize (forwardBatch header.Width header.Height) |> Array.collect forward
            else
                grids
                |> Array.map (fun levels -> NetworkTiles.Decode(network, levels, header.LatentHeight, header.LatentWidth, header.Width, header.Height, tile, dev))

        images
        |> Array.map (fun image ->
            match header.Colour with
            | ColourModel.Rgb -> image
            | ColourModel.Grayscale -> toGray image)

    /// The images that code grids of one header shape decode to (per image, its levels' grids, level 1
    /// first; every image the same number of levels), cropped to the header's size.
    let synthesise (models: CodecModels) (options: CodecOptions) (header: VqzHeader) (grids: int[][][]) : RgbImage[] =
        onNetworkThreads options (fun () -> synthesiseWith models options header grids)

    /// The chunks every file of `levels` levels coded with `models` shares (the LEVELS chunk is made from
    /// the streams, VqzLevels.create); the level prior is named and embedded only beside LEVELS (levels > 1).
    let private chunksFor (options: CodecOptions) (models: CodecModels) (levels: int) =
        let levelPrior = if levels > 1 then models.LevelPriorSource else None

        let names =
            match options.ModelNames with
            | ModelNamesPolicy.Never -> false
            | ModelNamesPolicy.Always -> true
            | ModelNamesPolicy.UnlessBuiltIn ->
                not (models.VqVaeSource.BuiltIn && models.PriorSource.BuiltIn && levelPrior |> Option.forall (fun l -> l.BuiltIn))

        [
            if not options.Metadata.IsEmpty then
                VqzChunk.Metadata [ for k, v in options.Metadata -> { Key = k; Value = v } ]
            if names then
                VqzChunk.ModelNames
                    [
                        yield { Role = ModelRole.Autoencoder; Name = models.VqVaeSource.Name; Digest = models.VqVaeSource.Digest }
                        yield { Role = ModelRole.Prior; Name = models.PriorSource.Name; Digest = models.PriorSource.Digest }
                        for l in Option.toList levelPrior -> { Role = ModelRole.LevelPrior; Name = l.Name; Digest = l.Digest }
                    ]
            if options.EmbedModels then
                VqzChunk.EmbeddedModels
                    [
                        yield { Role = ModelRole.Autoencoder; Data = ReadOnlyMemory models.VqVaeSource.Bytes }
                        yield { Role = ModelRole.Prior; Data = ReadOnlyMemory models.PriorSource.Bytes }
                        for l in Option.toList levelPrior -> { Role = ModelRole.LevelPrior; Data = ReadOnlyMemory l.Bytes }
                    ]
        ]

    /// The models a file needs: embedded ones first, then the catalogue; a clear error otherwise. An
    /// embedded model that is not a model file makes the .vqz file corrupt (VqzFormatException at its chunk).
    let modelsFor (catalog: ModelCatalog) (read: VqzReadResult) =
        let file = read.File
        let tag = file.Header.ModelsTag

        let embedded =
            List.zip file.Chunks read.Placement.Chunks
            |> List.indexed
            |> List.collect (fun (i, (chunk, place)) ->
                match chunk with
                | VqzChunk.EmbeddedModels models ->
                    models
                    |> List.mapi (fun j m ->
                        try
                            ModelSource.ofBytes $"embedded {m.Role}" false (m.Data.ToArray())
                        with :? ModelFileException as e ->
                            let path = $"chunks[{i}].embeddedModels[{j}].data"
                            raise (VqzFormatException(FormatError.Corrupt(place.Offset, path, $"the embedded {m.Role} is not a valid model file: {e.Reason} (field {e.Field}, byte offset {e.Offset})"))))
                | _ -> [])

        let catalog = if embedded.IsEmpty then catalog else catalog.With embedded

        match catalog.TryLoad tag with
        | Some models -> models
        | None ->
            let named =
                file.Chunks
                |> List.collect (function
                    | VqzChunk.ModelNames names -> names
                    | _ -> [])

            let describe (n: ModelName) =
                let sameName = catalog.Sources |> List.filter (fun s -> s.Name = n.Name)

                let installed =
                    match sameName with
                    | [] -> "not installed"
                    | s :: _ -> $"a model of that name is installed ({s.Origin}) but its sha256 is {s.Digest}"

                $"{n.Role} '{n.Name}' sha256 {n.Digest} ({installed})"

            let what =
                if named.IsEmpty then
                    $"the models with tag {tag} (the file does not name them; built-in and installed models do not match)"
                elif not embedded.IsEmpty then
                    "its embedded models, which do not match its models tag: " + String.Join("; ", named |> List.map describe)
                else
                    String.Join("; ", named |> List.map describe)

            let problem = if embedded.IsEmpty then ModelProblem.Missing else ModelProblem.EmbeddedMismatch
            raise (VqzModelException(problem, Some tag, $"this file needs {what}; install them (--model-dir) or re-encode with --embed-model{catalog.UnreadableNote}"))

    let private codeGrids (models: CodecModels) (options: CodecOptions) (tileSide: int) (shape: GridShape) (grids: int[][]) cancel =
        models.CheckCodable()
        PriorCoding.encodeGrids models.Prior.Prior models.GatedWeights tileSide options.EffectiveThreads shape grids cancel

    let private decodeGrids (models: CodecModels) (options: CodecOptions) (tileSide: int) (shape: GridShape) (payloads: ReadOnlyMemory<byte>[]) cancel =
        models.CheckCodable()
        PriorCoding.decodeGrids models.Prior.Prior models.GatedWeights tileSide options.EffectiveThreads shape payloads cancel

    /// The streams of levels 2 .. n for the grids of levels 1 .. n of one image (none for one level).
    let private codeFurtherLevels (models: CodecModels) (options: CodecOptions) (shape: GridShape) (grids: int[][]) cancel =
        if grids.Length = 1 then
            [||]
        else
            match models.LevelCoding with
            | Some(weights, tables) -> LevelCoding.encodeLevels weights tables options.EffectiveThreads shape grids cancel
            | None -> invalidOp $"{grids.Length} levels need a level prior; {models} has none"

    /// Raises GridChecksumMismatch when the file carries a GRID-CHECKSUM (spec §4.5) that the decoded grids
    /// (every level, in order) do not give: the decoder did not decode what the encoder coded, so no pixels are made from them.
    let checkGrid (read: VqzReadResult) (grids: int[][]) =
        List.zip read.File.Chunks read.Placement.Chunks
        |> List.iteri (fun i (chunk, place) ->
            match chunk with
            | VqzChunk.GridChecksum stored ->
                let computed = GridChecksum.compute (List.ofArray grids)

                if computed <> stored then
                    raise (VqzFormatException(FormatError.GridChecksumMismatch(place.Offset, $"chunks[{i}].gridChecksum", stored, computed)))
            | _ -> ())

    /// Refuses a file with code levels (a LEVELS chunk, spec §4.6) where levels have no meaning (a static
    /// model set, spec §8.2): *unsupported required chunk* at the chunk.
    let refuseLevels (read: VqzReadResult) =
        List.zip read.File.Chunks read.Placement.Chunks
        |> List.iteri (fun i (chunk, place) ->
            match chunk with
            | VqzChunk.Levels _ -> raise (VqzFormatException(FormatError.UnsupportedRequiredChunk(place.Offset, $"chunks[{i}].type", place.TypeCode)))
            | _ -> ())

    /// Refuses an image of more than options.MaxPixels pixels (before any work on it).
    let checkPixels (options: CodecOptions) (width: int) (height: int) =
        let pixels = int64 width * int64 height

        if pixels > options.MaxPixels then
            raise (UnsupportedImageException($"{width}x{height} is {pixels} pixels, more than the limit of {options.MaxPixels} (--max-pixels)"))

    /// Decodes many .vqz files; files of one models tag, size and tiling are decoded together.
    let decodeMany (catalog: ModelCatalog) (options: CodecOptions) (reader: VqzReaderOptions) (files: ReadOnlyMemory<byte>[]) (cancel: CancellationToken) : DecodedImage[] =
        // The reader's own pixel limit (spec §9) is raised to options.MaxPixels when that is higher, so the
        // error that names --max-pixels is the one a large file gets.
        let reader =
            if options.MaxPixels > reader.Limits.MaxPixels then
                { reader with Limits = { reader.Limits with MaxPixels = options.MaxPixels } }
            else
                reader

        let reads = files |> Array.map (Vqz.readDetailed reader)

        for r in reads do
            checkPixels options r.File.Header.Width r.File.Header.Height

        let parsed = reads |> Array.map (fun r -> r.File)
        let models = reads |> Array.map (modelsFor catalog)
        let streams = parsed |> Array.map VqzLevels.streams
        let results = Array.zeroCreate<DecodedImage> files.Length

        // A file's levels must be ones its models code: a LEVELS file names a level prior in its tag (spec §3.6).
        for i in 0 .. parsed.Length - 1 do
            let n = streams[i].Length

            if n > models[i].MaxLevels then
                let at, path =
                    List.zip parsed[i].Chunks reads[i].Placement.Chunks
                    |> List.indexed
                    |> List.tryPick (fun (c, (chunk, place)) ->
                        match chunk with
                        | VqzChunk.Levels _ -> Some(place.Offset, $"chunks[{c}].levels.count")
                        | _ -> None)
                    |> Option.defaultValue (int64 VqzLayout.LayoutOffset, "chunks")

                raise (VqzFormatException(FormatError.Corrupt(at, path, $"the file has {n} code levels; its models ({models[i]}) code at most {models[i].MaxLevels}")))

        for i in 0 .. parsed.Length - 1 do
            if models[i].Downsampling <> parsed[i].Header.Downsampling then
                raise (
                    VqzFormatException(
                        FormatError.Corrupt(
                            int64 VqzLayout.LayoutOffset,
                            "header.layout",
                            $"downsampling {parsed[i].Header.Downsampling.Factor} does not match the models' {models[i].Downsampling.Factor}"
                        )
                    )
                )

        let groups =
            [| 0 .. files.Length - 1 |]
            |> Array.groupBy (fun i -> let h = parsed[i].Header in struct (models[i].Tag, h.Width, h.Height, h.Tiling, h.Colour, streams[i].Length))

        for _, members in groups do
            let first = parsed[members[0]].Header

            // Images per network batch and prior evaluation: as many codes as the prior batches (memory).
            for chunk in Array.chunkBySize (PriorCoding.gridsPerBatch { Height = first.LatentHeight; Width = first.LatentWidth }) members do
                let header = parsed[chunk[0]].Header
                let shape = { Height = header.LatentHeight; Width = header.LatentWidth }
                let clock = Stopwatch.StartNew()
                let m = models[chunk[0]]
                let level1 = decodeGrids m options (tileSideOf header.Tiling) shape (chunk |> Array.map (fun i -> streams[i][0])) cancel

                // Levels 2 .. n, file by file: each level's checkerboard prior sees the levels before it.
                let grids =
                    chunk
                    |> Array.mapi (fun j i ->
                        match m.LevelCoding with
                        | Some(weights, tables) when streams[i].Length > 1 ->
                            LevelCoding.decodeLevels weights tables options.EffectiveThreads shape level1[j] (streams[i][1..]) cancel
                        | _ -> [| level1[j] |])

                chunk |> Array.iteri (fun j i -> checkGrid reads[i] grids[j])
                let entropyMs = elapsedMs clock / float chunk.Length
                clock.Restart()
                let images = synthesise models[chunk[0]] options header grids
                let networkMs = elapsedMs clock / float chunk.Length

                chunk
                |> Array.iteri (fun j i ->
                    results[i] <-
                        {
                            Image = images[j]
                            Header = parsed[i].Header
                            Grids = grids[j]
                            Models = models[i]
                            Timings = { NetworkMs = networkMs; EntropyMs = entropyMs; VerifyMs = 0.0 }
                        })

        results

    /// Decodes .vqz bytes to the image (original size).
    let decode (catalog: ModelCatalog) (options: CodecOptions) (reader: VqzReaderOptions) (bytes: ReadOnlyMemory<byte>) (cancel: CancellationToken) =
        (decodeMany catalog options reader [| bytes |] cancel)[0]

    /// The code grid of a file coded with a static model set (spec §8.2), which has no autoencoder and
    /// so no image; None when the file's models tag names no installed static set.
    let tryDecodeStaticGrid (catalog: ModelCatalog) (reader: VqzReaderOptions) (bytes: ReadOnlyMemory<byte>) (cancel: CancellationToken) =
        let read = Vqz.readDetailed reader bytes
        refuseLevels read
        let file = read.File

        catalog.TryFindStatic file.Header.ModelsTag
        |> Option.map (fun source ->
            use prior =
                VqVae.Codec.Models.Priors.PriorModel.FromFile(ModelFile.Parse(ReadOnlySpan source.Bytes, source.Origin), source.Digest.ToArray(), source.Origin)

            let model = (PriorCoding.gridModel prior.Prior None 0 1).Value
            let shape = { Height = file.Header.LatentHeight; Width = file.Header.LatentWidth }
            file.Header, GridCoding.decodeGrid model shape file.Payload cancel)

    /// Checks encoded images as a decoder will read them: decodes each file's bytes again (prior and range
    /// decoder, then the VQ-VAE decoder) and compares every code of every level with the codes the encoder
    /// wrote. Returns the images with the decoder's pixels (Reconstruction) and the time per image
    /// (Timings.VerifyMs); raises InvalidOperationException naming the first code that differs, so that
    /// the file is never written. encodeMany does this when options.Verify; a caller may instead encode
    /// without it and verify when it chooses (running it beside the next batch's encoding was measured for
    /// `vqz compress` on folders: no gain on 2 cores, which both steps already keep busy).
    let verifyMany (catalog: ModelCatalog) (options: CodecOptions) (encoded: EncodedImage[]) (cancel: CancellationToken) : EncodedImage[] =
        let clock = Stopwatch.StartNew()
        let sources = encoded |> Array.map (fun e -> e.Models) |> Array.distinct |> Seq.collect (fun m -> m.Sources) |> List.ofSeq
        use view = catalog.With sources
        let decoded = decodeMany view options VqzReaderOptions.Default (encoded |> Array.map (fun e -> ReadOnlyMemory e.Bytes)) cancel

        for e, d in Array.zip encoded decoded do
            for l in 0 .. e.Grids.Length - 1 do
                if d.Grids.Length <> e.Grids.Length || d.Grids[l] <> e.Grids[l] then
                    let at =
                        if d.Grids.Length <> e.Grids.Length then -1
                        else Array.zip d.Grids[l] e.Grids[l] |> Array.findIndex (fun (a, b) -> a <> b)

                    invalidOp
                        $"verification failed: level {l + 1}: the decoder read {d.Grids.Length} level(s) and code {(if at < 0 then -1 else d.Grids[l][at])} at position {at}, the encoder wrote {e.Grids.Length} level(s); the file was not written"

        let verifyMs = elapsedMs clock / float (max 1 encoded.Length)

        Array.map2 (fun (e: EncodedImage) (d: DecodedImage) -> { e with Reconstruction = Some d.Image; Timings = { e.Timings with VerifyMs = verifyMs } }) encoded decoded

    /// Encodes many images: each with `models`, or the preset for its quality and size, sending
    /// options.Levels code levels (or the preset's; 1 with explicit models); images of one size, models and
    /// level count go through the networks and the level-1 prior together.
    let encodeMany (catalog: ModelCatalog) (options: CodecOptions) (models: CodecModels option) (images: RgbImage[]) (cancel: CancellationToken) : EncodedImage[] =
        let checkLevels (m: CodecModels) (levels: int) =
            if levels < 1 || levels > m.MaxLevels then
                raise (VqVae.Codec.Models.InvalidOptionsException $"--levels {levels}: the models {m} code 1 to {m.MaxLevels} levels")

            levels

        if not (VqVae.Codec.Models.Quantizers.CodeChoice.IsValidRateLambda options.RateLambda) then
            raise (VqVae.Codec.Models.InvalidOptionsException $"--rate-lambda {options.RateLambda}: {VqVae.Codec.Models.Quantizers.CodeChoice.RateLambdaRange}")

        let choice (image: RgbImage) =
            match models with
            | Some m -> m, defaultArg options.TileSide 0, checkLevels m (defaultArg options.Levels 1)
            | None ->
                let p = catalog.PresetFor(options.Quality, image.Width, image.Height)
                let levels = defaultArg options.Levels p.Levels
                let m = catalog.LoadPreset(p, levels)
                m, defaultArg options.TileSide p.TileSide, checkLevels m levels

        for image in images do
            checkPixels options image.Width image.Height

        let chosen = images |> Array.map choice
        let results = Array.zeroCreate<EncodedImage> images.Length

        let groups =
            [| 0 .. images.Length - 1 |]
            |> Array.groupBy (fun i -> let m, tile, levels = chosen[i] in struct (m.Tag, tile, levels, images[i].Width, images[i].Height))

        for _, members in groups do
            let m0, _, _ = chosen[members[0]]
            let latents (pixels: int) = m0.Downsampling.Latents pixels
            let shape0 = { Height = latents images[members[0]].Height; Width = latents images[members[0]].Width }

            for chunk in Array.chunkBySize (PriorCoding.gridsPerBatch shape0) members do
                let m, tileSide, levels = chosen[chunk[0]]
                let clock = Stopwatch.StartNew()
                let grids = analyse m options levels (chunk |> Array.map (fun i -> images[i]))
                let networkMs = elapsedMs clock / float chunk.Length
                cancel.ThrowIfCancellationRequested()
                clock.Restart()
                let shared = chunksFor options m levels

                // Each file's chunks (the shared ones, then its grids' checksum where the policy wants one),
                // computed once per file; VqzLevels.create puts LEVELS first and sets the lowest version.
                let chunks =
                    chunk
                    |> Array.mapi (fun j i ->
                        if options.GridChecksum.Applies(images[i].Width, images[i].Height) then
                            shared @ [ VqzChunk.GridChecksum(GridChecksum.compute (List.ofArray grids[j])) ]
                        else
                            shared)

                let headers =
                    chunk
                    |> Array.map (fun i ->
                        let image = images[i]

                        {
                            Version = FormatVersions.V1_0
                            Width = image.Width
                            Height = image.Height
                            Colour = if image.SourceIsGray then ColourModel.Grayscale else ColourModel.Rgb
                            Downsampling = m.Downsampling
                            Tiling = tiling tileSide
                            Coding = CodingScheme.RangeCoder16
                            ModelsTag = m.TagFor levels
                        })

                let shape = { Height = headers[0].LatentHeight; Width = headers[0].LatentWidth }
                let level1 = codeGrids m options tileSide shape (grids |> Array.map (fun g -> g[0])) cancel

                let vqzFiles =
                    Array.init chunk.Length (fun j ->
                        let further = codeFurtherLevels m options shape grids[j] cancel
                        let streams = Array.append [| ReadOnlyMemory level1[j] |] (further |> Array.map ReadOnlyMemory)
                        VqzLevels.create headers[j] chunks[j] streams)

                let files = vqzFiles |> Array.map Vqz.write
                let entropyMs = elapsedMs clock / float chunk.Length
                clock.Restart()

                let coded =
                    Array.init chunk.Length (fun j ->
                        {
                            Bytes = files[j]
                            Header = vqzFiles[j].Header
                            Grids = grids[j]
                            Models = m
                            Reconstruction = None
                            Timings = { NetworkMs = networkMs; EntropyMs = entropyMs; VerifyMs = 0.0 }
                        })

                let checkedImages = if options.Verify then verifyMany catalog options coded cancel else coded
                chunk |> Array.iteri (fun j i -> results[i] <- checkedImages[j])

        results

    /// Encodes an image with `models` (or the preset's models when None).
    let encode (catalog: ModelCatalog) (options: CodecOptions) (models: CodecModels option) (image: RgbImage) (cancel: CancellationToken) =
        (encodeMany catalog options models [| image |] cancel)[0]
