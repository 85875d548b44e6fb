module VqVae.Codec.Codec.Tests.GoldenFileTests

open System
open System.Threading
open Xunit
open VqVae.Codec.Entropy
open VqVae.Codec.Format
open VqVae.Codec.Codec.Tests.GoldenCases

let cases () : seq<objnull[]> = all |> Seq.map (fun c -> [| box c.Name |])

let private case name = all |> List.find (fun c -> c.Name = name)

let private shapeOf (h: VqzHeader) = { Height = h.LatentHeight; Width = h.LatentWidth }

let private encode (c: Case) =
    let payload = GridCoding.encodeGrid c.Model (shapeOf c.Header) c.Grid CancellationToken.None
    Vqz.write { Header = c.Header; Chunks = c.Chunks; Payload = ReadOnlyMemory payload }

[<Theory; MemberData(nameof cases)>]
let ``encoding the golden input reproduces the golden file byte for byte`` (name: string) =
    let c = case name
    Golden.checkText $"{name}.grid.txt" (gridText c.Header c.Grid)
    Golden.checkBytes $"{name}.vqz" (encode c)

[<Theory; MemberData(nameof cases)>]
let ``the golden file decodes to the golden grid`` (name: string) =
    let c = case name
    let file = Vqz.read VqzReaderOptions.Default (ReadOnlyMemory(Golden.read $"{name}.vqz"))
    let grid = GridCoding.decodeGrid c.Model (shapeOf file.Header) file.Payload CancellationToken.None
    Assert.Equal(Text.Encoding.UTF8.GetString(Golden.read $"{name}.grid.txt"), gridText file.Header grid)

[<Theory; MemberData(nameof cases)>]
let ``the golden file's header dump matches its snapshot`` (name: string) =
    let read = Vqz.readDetailed VqzReaderOptions.Default (ReadOnlyMemory(Golden.read $"{name}.vqz"))
    Golden.checkText $"{name}.json" (VqzDescription.toJson read)
