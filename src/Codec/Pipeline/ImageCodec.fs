namespace VqVae.Codec.Pipeline

open System
open System.Diagnostics
open System.Threading
open TorchSharp
open VqVae.Codec.Entropy
open VqVae.Codec.Format
open VqVae.Codec.Models.Data

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
        /// The code grid (raster order, LatentHeight x LatentWidth).
        Codes: int[]
        /// The models that coded it.
        Models: CodecModels
        /// The decoder's image, when the file was verified by decoding it.
        Reconstruction: RgbImage option
        /// Where the time went.
        Timings: CodecTimings
    }

/// One decoded image.
type DecodedImage =
    {
        /// The reconstruction, at the original size; SourceChannels 1 for a grayscale file.
        Image: RgbImage
        /// The file's header.
        Header: VqzHeader
        /// The decoded code grid.
        Codes: int[]
        /// The models that decoded it.
        Models: CodecModels
        /// Where the time went.
        Timings: CodecTimings
    }

/// The image codec (a thin facade over the pieces):
///
///   encode:  image --pad--> VQ-VAE encoder + nearest prototype --> code grid
///                     --prior (deterministic, tiled) + range coder--> payload
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
            | ValueNone -> invalidArg (nameof side) $"tile side {side} is not 0 or a power of two from 4 to 256"

    let private tileSideOf (t: PriorTiling) =
        match t with
        | PriorTiling.WholeGrid -> 0
        | PriorTiling.Tiles s -> s.Latents

    /// The code grid of an image under the VQ-VAE (edge-padded to a multiple of the downsampling).
    let analyse (models: CodecModels) (options: CodecOptions) (image: RgbImage) =
        use scope = torch.NewDisposeScope()
        let network = models.VqVae.Network
        let dev = device options
        network.``to``(dev) |> ignore
        let x = ImageTensors.ToTensor([| image |], dev)
        let codes = network.EncodeToCodes(Padding.ToMultiple(x, network.Architecture.Downsampling))
        codes.cpu().to_type(torch.ScalarType.Int32).data<int>().ToArray()

    /// The image a code grid decodes to, cropped to width x height.
    let synthesise (models: CodecModels) (options: CodecOptions) (header: VqzHeader) (codes: int[]) =
        use scope = torch.NewDisposeScope()
        let network = models.VqVae.Network
        let dev = device options
        network.``to``(dev) |> ignore
        let grid = torch.tensor(codes |> Array.map int64, ReadOnlySpan [| 1L; int64 header.LatentHeight; int64 header.LatentWidth |], device = dev)
        let pixels = network.DecodeCodes(grid)
        let cropped = pixels.narrow(2, 0L, int64 header.Height).narrow(3, 0L, int64 header.Width)
        let image = (ImageTensors.ToImages cropped)[0]

        match header.Colour with
        | ColourModel.Rgb -> image
        | ColourModel.Grayscale ->
            let p = image.Pixels

            for i in 0 .. p.Length / 3 - 1 do
                let v = byte ((int p[3 * i] + int p[3 * i + 1] + int p[3 * i + 2] + 1) / 3)
                p[3 * i] <- v
                p[3 * i + 1] <- v
                p[3 * i + 2] <- v

            RgbImage(image.Width, image.Height, p, SourceChannels = 1)

    let private chunksFor (options: CodecOptions) (models: CodecModels) =
        let names =
            match options.ModelNames with
            | ModelNamesPolicy.Never -> false
            | ModelNamesPolicy.Always -> true
            | ModelNamesPolicy.UnlessBuiltIn -> not (models.VqVaeSource.BuiltIn && models.PriorSource.BuiltIn)

        [
            if not options.Metadata.IsEmpty then
                VqzChunk.Metadata [ for k, v in options.Metadata -> { Key = k; Value = v } ]
            if names then
                VqzChunk.ModelNames
                    [
                        { Role = ModelRole.Autoencoder; Name = models.VqVaeSource.Name; Digest = models.VqVaeSource.Digest }
                        { Role = ModelRole.Prior; Name = models.PriorSource.Name; Digest = models.PriorSource.Digest }
                    ]
            if options.EmbedModels then
                VqzChunk.EmbeddedModels
                    [
                        { Role = ModelRole.Autoencoder; Data = ReadOnlyMemory models.VqVaeSource.Bytes }
                        { Role = ModelRole.Prior; Data = ReadOnlyMemory models.PriorSource.Bytes }
                    ]
        ]

    /// The models a file needs: embedded ones first, then the catalogue; a clear error otherwise.
    let modelsFor (catalog: ModelCatalog) (file: VqzFile) =
        let tag = file.Header.ModelsTag

        let embedded =
            file.Chunks
            |> List.collect (function
                | VqzChunk.EmbeddedModels models -> models
                | _ -> [])
            |> List.map (fun m -> ModelSource.ofBytes $"embedded {m.Role}" false (m.Data.ToArray()))

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
            raise (VqzModelException(problem, Some tag, $"this file needs {what}; install them (--model-dir) or re-encode with --embed-model"))

    /// Decodes .vqz bytes to the image (original size).
    let decode (catalog: ModelCatalog) (options: CodecOptions) (reader: VqzReaderOptions) (bytes: ReadOnlyMemory<byte>) (cancel: CancellationToken) =
        let file = Vqz.read reader bytes
        let header = file.Header
        let models = modelsFor catalog file

        if models.Downsampling <> header.Downsampling then
            raise (
                VqzFormatException(
                    FormatError.Corrupt(int64 VqzLayout.LayoutOffset, "header.layout", $"downsampling {header.Downsampling.Factor} does not match the models' {models.Downsampling.Factor}")
                )
            )

        let clock = Stopwatch.StartNew()
        let shape = { Height = header.LatentHeight; Width = header.LatentWidth }
        let gridModel = models.GridModel(tileSideOf header.Tiling, options.EffectiveThreads)
        let codes = GridCoding.decodeGrid gridModel shape file.Payload cancel
        let entropyMs = elapsedMs clock
        clock.Restart()
        let image = synthesise models options header codes

        {
            Image = image
            Header = header
            Codes = codes
            Models = models
            Timings = { NetworkMs = elapsedMs clock; EntropyMs = entropyMs; VerifyMs = 0.0 }
        }

    /// Encodes an image with `models` (or the preset's models when None).
    let encode (catalog: ModelCatalog) (options: CodecOptions) (models: CodecModels option) (image: RgbImage) (cancel: CancellationToken) =
        let preset = catalog.Presets |> List.tryFind (fun _ -> models.IsNone) |> Option.map (fun _ -> catalog.PresetFor(options.Quality, image.Width, image.Height))

        let models =
            match models, preset with
            | Some m, _ -> m
            | None, Some p -> catalog.Load(catalog.Find("vqvae", p.VqVae), catalog.Find("prior", p.Prior))
            | None, None -> raise (VqzModelException(ModelProblem.Missing, None, "no models are installed and none were given"))

        let tileSide = options.TileSide |> Option.orElse (preset |> Option.map (fun p -> p.TileSide)) |> Option.defaultValue 0
        let clock = Stopwatch.StartNew()
        let codes = analyse models options image
        let networkMs = elapsedMs clock
        cancel.ThrowIfCancellationRequested()
        clock.Restart()

        let header =
            {
                Version = FormatVersion.Current
                Width = image.Width
                Height = image.Height
                Colour = if image.SourceIsGray then ColourModel.Grayscale else ColourModel.Rgb
                Downsampling = models.Downsampling
                Tiling = tiling tileSide
                Coding = CodingScheme.RangeCoder16
                ModelsTag = models.Tag
            }

        let shape = { Height = header.LatentHeight; Width = header.LatentWidth }
        let payload = GridCoding.encodeGrid (models.GridModel(tileSide, options.EffectiveThreads)) shape codes cancel
        let bytes = Vqz.write { Header = header; Chunks = chunksFor options models; Payload = ReadOnlyMemory payload }
        let entropyMs = elapsedMs clock
        clock.Restart()

        let reconstruction =
            if options.Verify then
                let decoded = decode (catalog.With [ models.VqVaeSource; models.PriorSource ]) options VqzReaderOptions.Default (ReadOnlyMemory bytes) cancel

                if decoded.Codes <> codes then
                    let first = Array.zip decoded.Codes codes |> Array.findIndex (fun (a, b) -> a <> b)
                    invalidOp $"verification failed: the decoder read code {decoded.Codes[first]} at position {first}, the encoder wrote {codes[first]}; the file was not written"

                Some decoded.Image
            else
                None

        {
            Bytes = bytes
            Header = header
            Codes = codes
            Models = models
            Reconstruction = reconstruction
            Timings = { NetworkMs = networkMs; EntropyMs = entropyMs; VerifyMs = elapsedMs clock }
        }
