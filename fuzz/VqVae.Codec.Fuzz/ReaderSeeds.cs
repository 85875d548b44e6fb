using Microsoft.FSharp.Collections;
using VqVae.Codec.Format;

namespace VqVae.Codec.Fuzz;

/// <summary>Seed files for the reader beyond the golden files (three of which have code levels): files with
/// a LEVELS chunk (spec §4.6) at its edges (empty streams, 16 levels), so the fuzzer starts inside its
/// parser and the payload check.</summary>
internal static class ReaderSeeds
{
    public static void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        var header = new VqzHeader(FormatVersions.V1_1, 8, 8, ColourModel.Grayscale, Downsampling.By4, PriorTiling.WholeGrid,
            CodingScheme.RangeCoder16, ModelsTag.NewModelsTag(0x3A7F34B6u));
        var digest = (string s) => Sha256Digest.Of(System.Text.Encoding.UTF8.GetBytes(s));
        var names = VqzChunk.NewModelNames(ListModule.OfSeq(new[] { ModelRole.Autoencoder, ModelRole.Prior, ModelRole.LevelPrior }
            .Select(r => new ModelName(r, r.ToString(), digest(r.ToString())))));
        var cases = new (string Name, VqzChunk[] Chunks, byte[][] Streams)[]
        {
            // The worked example of spec §4.6: three levels of 3, 0 and 2 bytes.
            ("levels-spec-example", [], [[0xA1, 0xA2, 0xA3], [], [0xC1, 0xC2]]),
            ("levels-2-names-gridcrc", [names, VqzChunk.NewGridChecksum(0x01020304u)], [Enumerable.Range(0, 130).Select(i => (byte)i).ToArray(), [0x55]]),
            ("levels-16", [], Enumerable.Range(0, 16).Select(i => Enumerable.Repeat((byte)(i * 16), i % 3).ToArray()).ToArray()),
        };
        foreach (var c in cases)
        {
            var file = VqzLevels.create(header, ListModule.OfSeq(c.Chunks), c.Streams.Select(s => new ReadOnlyMemory<byte>(s)).ToArray());
            File.WriteAllBytes(Path.Combine(directory, c.Name + ".vqz"), Vqz.write(file));
        }
    }
}
