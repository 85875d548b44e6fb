module VqVae.Codec.Codec.Tests.RegressionTests

open System
open System.IO
open System.Text.Json.Nodes
open System.Threading
open Xunit
open VqVae.Codec.Format
open VqVae.Codec.Models.Files
open VqVae.Codec.Pipeline
open VqVae.Codec.Codec.Tests.TestData

/// Inputs that made the full decode (fuzz target "decode") throw something other than
/// VqzFormatException or VqzModelException, kept under tests/data/regressions/decode-*.vqz with the
/// clean error each must now give: the exception type and the field path (format errors).
let private expected =
    dict
        [
            "decode-modelfileexception-embedded-not-a-model.vqz", (typeof<VqzFormatException>, "chunks[1].embeddedModels[0].data")
        ]

let private directory = Path.GetFullPath(Path.Combine(__SOURCE_DIRECTORY__, "..", "data", "regressions"))

/// As the fuzz harness reads them: checksum not verified, so that a find need not carry a valid CRC.
let private reader = { VqzReaderOptions.Default with VerifyChecksum = false }

let private options = { CodecOptions.Default with Threads = 1 }

let private catalog = lazy (TinyModels.catalog 0)

let private decode (bytes: byte[]) =
    ImageCodec.decode catalog.Value options reader (ReadOnlyMemory bytes) CancellationToken.None |> ignore

let cases () : seq<objnull[]> =
    Directory.GetFiles(directory, "decode-*.vqz") |> Seq.sort |> Seq.map (fun f -> [| box (Path.GetFileName f |> nonNull) |])

[<Fact>]
let ``every kept decode find has an expected outcome here`` () =
    let files = Directory.GetFiles(directory, "decode-*.vqz") |> Array.map (Path.GetFileName >> nonNull) |> set
    Assert.NotEmpty files
    Assert.Equal<Set<string>>(set expected.Keys, files)

[<Theory>]
[<MemberData(nameof cases)>]
let ``a kept decode find now fails with the clean error`` (name: string) =
    let kind, path = expected[name]
    let e =
        match Record.Exception(fun () -> decode (File.ReadAllBytes(Path.Combine(directory, name)))) with
        | null -> failwith $"{name} decodes without an error"
        | e -> e

    Assert.IsType(kind, e)

    match e with
    | :? VqzFormatException as f -> Assert.Equal(path, f.Path)
    | _ -> ()

let private num (x: int) : JsonNode = nonNull (JsonValue.Create x)
let private str (x: string) : JsonNode = nonNull (JsonValue.Create x)

let private json (fields: (string * JsonNode) list) =
    let o = JsonObject()

    for name, value in fields do
        o[name] <- value

    o

/// A model file whose SHA-256 trailer is right (anyone can compute it) but whose header fields have
/// the wrong JSON types, embedded in a .vqz file.
let private hostileEmbedded (header: JsonObject) =
    let model = ModelFile(header, [||]).ToBytes()
    let tag = ModelsTag.OfDigests(Sha256Digest.Of(ReadOnlySpan model), Sha256Digest.Of(ReadOnlySpan model))

    Vqz.write
        {
            Header = vqzHeader 8 8 ColourModel.Rgb Downsampling.By4 PriorTiling.WholeGrid tag
            Chunks = [ VqzChunk.EmbeddedModels [ { Role = ModelRole.Autoencoder; Data = ReadOnlyMemory model } ] ]
            Payload = ReadOnlyMemory.Empty
        }

[<Fact>]
let ``an embedded model whose kind or name is not a string is no model of the file's, not an internal error`` () =
    let bytes = hostileEmbedded (json [ "kind", num 5; "name", JsonArray() ])
    let e = Assert.Throws<VqzModelException>(fun () -> decode bytes)
    Assert.Equal(ModelProblem.EmbeddedMismatch, e.Problem)

[<Fact>]
let ``an embedded prior whose VQ-VAE digest is not 64 hex digits makes the file corrupt`` () =
    for digest in [ num 5; str "xyz"; str (String('a', 62)) ] do
        let header = json [ "kind", str "prior"; "name", str "p"; "vqvae", digest ]
        let e = Assert.Throws<VqzFormatException>(fun () -> decode (hostileEmbedded header))
        Assert.Equal("chunks[0].embeddedModels[0].data", e.Path)
        Assert.Contains("header.vqvae", e.Message)
