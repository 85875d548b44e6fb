module VqVae.Codec.Codec.Tests.GoldenFileTests

open System
open System.Threading
open Xunit
open VqVae.Codec.Entropy
open VqVae.Codec.Format
open VqVae.Codec.Prior
open VqVae.Codec.Pipeline
open VqVae.Codec.Codec.Tests.GoldenCases

let cases () : seq<objnull[]> = names |> Seq.map (fun name -> [| box name |])

let modelFiles () : seq<objnull[]> = GoldenModels.names |> Seq.map (fun name -> [| box name |])

let private case name = all () |> List.find (fun c -> c.Name = name)

let private shapeOf (h: VqzHeader) = { Height = h.LatentHeight; Width = h.LatentWidth }

let private encode (c: Case) =
    let shape = shapeOf c.Header
    let payload = GridCoding.encodeGrid (c.Model()) shape c.Grid CancellationToken.None

    match c.Grids, c.LevelCoding with
    | [ _ ], _ -> Vqz.write { Header = c.Header; Chunks = c.Chunks; Payload = ReadOnlyMemory payload }
    | grids, Some coding ->
        // Levels 2 .. n: one stream each, after level 1's, with the LEVELS chunk first (spec §4.6).
        let weights, tables = coding ()
        let further = LevelCoding.encodeLevels weights tables 1 shape (Array.ofList grids) CancellationToken.None
        let streams = Array.append [| ReadOnlyMemory payload |] (further |> Array.map ReadOnlyMemory)
        let file = VqzLevels.create c.Header c.Chunks streams
        Assert.Equal(c.Header, file.Header)
        Vqz.write file
    | grids, None -> failwith $"{c.Name}: {grids.Length} levels and no level coding"

[<Theory; MemberData(nameof cases)>]
let ``encoding the golden input reproduces the golden file byte for byte`` (name: string) =
    let c = case name

    for gridFile, grid in List.zip (gridNames name c.Grids.Length) c.Grids do
        Golden.checkText gridFile (gridText c.Header grid)

    Golden.checkBytes $"{name}.vqz" (encode c)

[<Theory; MemberData(nameof cases)>]
let ``the golden file decodes to the golden grid`` (name: string) =
    let c = case name
    let file = Vqz.read VqzReaderOptions.Default (ReadOnlyMemory(Golden.read $"{name}.vqz"))
    let shape = shapeOf file.Header
    let streams = VqzLevels.streams file
    Assert.Equal(c.Grids.Length, streams.Length)
    let level1 = GridCoding.decodeGrid (c.Model()) shape streams[0] CancellationToken.None

    let grids =
        match c.LevelCoding with
        | Some coding when streams.Length > 1 ->
            let weights, tables = coding ()
            LevelCoding.decodeLevels weights tables 1 shape level1 streams[1..] CancellationToken.None
        | _ -> [| level1 |]

    for gridFile, grid in List.zip (gridNames name c.Grids.Length) (List.ofArray grids) do
        Assert.Equal(Text.Encoding.UTF8.GetString(Golden.read gridFile), gridText file.Header grid)

[<Theory; MemberData(nameof cases)>]
let ``the golden file's header dump matches its snapshot`` (name: string) =
    // When accepting, from the bytes being accepted (the test that writes the .vqz may run later).
    let bytes = if Golden.accepting then encode (case name) else Golden.read $"{name}.vqz"
    let read = Vqz.readDetailed VqzReaderOptions.Default (ReadOnlyMemory bytes)
    Golden.checkText $"{name}.json" (VqzDescription.toJson read)

[<Theory; MemberData(nameof cases)>]
let ``the golden file's first steps match their snapshot`` (name: string) =
    Golden.checkText $"{name}.steps.json" (GoldenSteps.stepsJson (case name))

[<Fact>]
let ``the exp test values match their snapshot, and e sums left to right`` () =
    for x in GoldenSteps.eArguments do
        let e, _ = GoldenSteps.expBothGroupings x
        Assert.Equal(BitConverter.SingleToUInt32Bits(Activations.expNonPositive x), BitConverter.SingleToUInt32Bits e)

    Golden.checkText "exp-test-values.json" (GoldenSteps.expJson ())

[<Fact>]
let ``the other grouping of e gives other bits for some test value`` () =
    let differ = GoldenSteps.eArguments |> Array.filter (fun x -> let e, other = GoldenSteps.expBothGroupings x in e <> other)
    Assert.NotEmpty differ

[<Theory; MemberData(nameof modelFiles)>]
let ``the golden model files read as model files whose digest is their last 32 bytes`` (name: string) =
    let bytes = GoldenModels.file name
    let source = GoldenModels.source name
    Assert.Equal(Convert.ToHexStringLower(bytes.AsSpan(bytes.Length - 32)), source.Digest.Hex)
    Assert.Equal(ValueSome source.Digest, Sha256Digest.TryOfModelFile(ReadOnlySpan bytes))

    if name.EndsWith(".vqp", StringComparison.Ordinal) then
        let prior = GoldenModels.prior name
        Assert.True((PriorCoding.gridModel prior.Prior (PriorCoding.gatedWeights prior.Prior) 0 1).IsSome, $"{name} cannot code")

[<Theory>]
[<InlineData("uniform-512.vqp", "uniform-gray-32x32")>]
[<InlineData("uniform-512.vqp", "uniform-rgb-37x23")>]
[<InlineData("unigram-512.vqp", "unigram-rgb-293x181-tiles8")>]
let ``a static prior model file names the static set of its golden file and decodes it`` (model: string, name: string) =
    let source = GoldenModels.source model
    let file = Vqz.read VqzReaderOptions.Default (ReadOnlyMemory(Golden.read $"{name}.vqz"))
    use catalog = ModelCatalog.create [ source ] []
    Assert.Equal(Some source.Digest, catalog.TryFindStatic(file.Header.ModelsTag) |> Option.map _.Digest)
    Assert.Equal(Some(StaticModelSet.digest source.Name ModelRole.Autoencoder), source.VqVaeDigest)
    let header, grid = (ImageCodec.tryDecodeStaticGrid catalog VqzReaderOptions.Default (ReadOnlyMemory(Golden.read $"{name}.vqz")) CancellationToken.None).Value
    Assert.Equal(Text.Encoding.UTF8.GetString(Golden.read $"{name}.grid.txt"), gridText header grid)

[<Fact>]
let ``the unigram-512 model file holds the histogram 100000 div (s + 1)`` () =
    let prior = (GoldenModels.prior "unigram-512.vqp").Prior :?> VqVae.Codec.Models.Priors.StaticPrior
    Assert.Equal<int64[]>(Array.init 512 (fun s -> int64 (100_000 / (s + 1))), prior.Counts)

[<Fact>]
let ``the golden models decode every golden file coded with them`` () =
    let sources = GoldenModels.names |> List.map GoldenModels.source
    use catalog = ModelCatalog.create sources []

    for c in all () |> List.filter (fun c -> c.Name.StartsWith("tiny-", StringComparison.Ordinal)) do
        let decoded = ImageCodec.decode catalog CodecOptions.Default VqzReaderOptions.Default (ReadOnlyMemory(Golden.read $"{c.Name}.vqz")) CancellationToken.None
        Assert.Equal<int[] list>(c.Grids, List.ofArray decoded.Grids)
        Assert.Equal((c.Header.Width, c.Header.Height), (decoded.Image.Width, decoded.Image.Height))

[<Theory; MemberData(nameof cases)>]
let ``an embedded model file and its MODEL-NAMES entry show one digest`` (name: string) =
    let file = Vqz.read VqzReaderOptions.Default (ReadOnlyMemory(Golden.read $"{name}.vqz"))

    let named =
        file.Chunks
        |> List.collect (function
            | VqzChunk.ModelNames names -> names |> List.map (fun n -> n.Role, n.Digest)
            | _ -> [])

    for chunk in file.Chunks do
        match chunk with
        | VqzChunk.EmbeddedModels models ->
            for m in models do
                match Sha256Digest.TryOfModelFile m.Data.Span with
                | ValueSome digest ->
                    Assert.Equal(Some digest, named |> List.tryFind (fun (role, _) -> role = m.Role) |> Option.map snd)
                    Assert.Contains($"\"sha256\": \"{digest.Hex}\"", Text.Encoding.UTF8.GetString(Golden.read $"{name}.json"))
                | ValueNone -> Assert.Equal("uniform-gray-37x23-embedded", name)
        | _ -> ()

[<Fact>]
let ``a prior whose alphabet is not the VQ-VAE's codebook is refused`` () =
    let vqvae = GoldenModels.source "tiny-f4.vqm"
    let a = VqVae.Codec.Models.Priors.PriorArchitecture(Kind = VqVae.Codec.Models.Priors.PriorKind.Uniform, CodebookSize = 16)
    use prior = VqVae.Codec.Models.Priors.PriorFactory.Create a
    let bytes = VqVae.Codec.Models.Priors.PriorModel.ToFile(prior, "uniform-16", vqvae.Digest.ToArray(), Text.Json.Nodes.JsonObject()).ToBytes()
    let e = Assert.Throws<VqzModelException>(fun () -> new CodecModels(vqvae, ModelSource.ofBytes "test:uniform-16.vqp" false bytes) |> ignore)
    Assert.Contains("alphabet of 16 codes", e.Message)
