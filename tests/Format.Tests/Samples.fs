module VqVae.Codec.Format.Tests.Samples

open System
open System.Buffers.Binary
open System.IO
open VqVae.Codec.Format

let goldenDirectory = Path.GetFullPath(Path.Combine(__SOURCE_DIRECTORY__, "..", "data", "golden"))

/// The golden .vqz files (written by the Codec tests), by name.
let goldenFiles () =
    let files = Directory.GetFiles(goldenDirectory, "*.vqz") |> Array.sort
    if files.Length = 0 then failwith $"no golden .vqz files in {goldenDirectory}"
    files |> Array.map (fun f -> Path.GetFileName f, File.ReadAllBytes f)

let header width height =
    {
        Version = FormatVersions.V1_0
        Width = width
        Height = height
        Colour = ColourModel.Grayscale
        Downsampling = Downsampling.By4
        Tiling = PriorTiling.WholeGrid
        Coding = CodingScheme.RangeCoder16
        ModelsTag = ModelsTag 0x01020304u
    }

let file width height (chunks: VqzChunk list) (payload: byte[]) =
    { Header = header width height; Chunks = chunks; Payload = ReadOnlyMemory payload }

/// Recomputes the CRC-32C trailer after a test patched the bytes.
let withChecksum (bytes: byte[]) =
    let n = bytes.Length - 4
    BinaryPrimitives.WriteUInt32LittleEndian(Span(bytes, n, 4), Vqz.checksum (ReadOnlySpan(bytes, 0, n)))
    bytes

let read (bytes: byte[]) = Vqz.read VqzReaderOptions.Default (ReadOnlyMemory bytes)

let readError (options: VqzReaderOptions) (bytes: byte[]) =
    match Vqz.tryRead options (ReadOnlyMemory bytes) with
    | Ok _ -> failwith "expected the file to be rejected"
    | Error e -> e

let noChecksum = { VqzReaderOptions.Default with VerifyChecksum = false }
