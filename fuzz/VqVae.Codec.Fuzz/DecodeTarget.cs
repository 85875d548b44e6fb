using System.Threading;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using TorchSharp;
using VqVae.Codec.Format;
using VqVae.Codec.Models.Data;
using VqVae.Codec.Pipeline;

namespace VqVae.Codec.Fuzz;

/// <summary>
/// The whole decoder, ImageCodec.decode, with the tiny models of TinyModels (a gated PixelCNN and a
/// unigram prior; a VQ-VAE with code levels, its gated PixelCNN and level prior) and checksum
/// verification off. Clean outcomes: an image, VqzFormatException or VqzModelException. On success the
/// image has the header's size, there is a grid per level of the file (its LEVELS chunk, spec §4.6) and
/// every code of level l is in level l's alphabet.
/// The harness lowers MaxPixels to 64 x 64 so that one input decodes in milliseconds (the default
/// limits are tested in tests/); every other limit is the default.
/// </summary>
internal static class DecodeTarget
{
    private static readonly Lazy<ModelCatalog> Catalog = new(() =>
    {
        torch.set_num_threads(1);
        return TinyModels.Catalog();
    });

    private static readonly VqzLimits Limits = VqzLimits.Default;

    public static readonly VqzReaderOptions Reader = new(
        new VqzLimits(Limits.MaxSide, 64 * 64, Limits.MaxChunks, Limits.MaxChunkBytes, Limits.MaxEmbeddedModelBytes, Limits.MaxModelBytes, Limits.MaxFileBytes),
        false);

    private static readonly CodecOptions Options = With(CodecOptions.Default, tile: null, levels: 1, verify: false, metadata: false);

    private static CodecOptions With(CodecOptions o, int? tile, int levels, bool verify, bool metadata) => new(
        o.Quality, o.Device, verify, threads: 1,
        tile is int t ? FSharpOption<int>.Some(t) : FSharpOption<int>.None,
        FSharpOption<int>.Some(levels),
        o.EmbedModels, ModelNamesPolicy.Never,
        metadata ? ListModule.OfSeq(new[] { Tuple.Create("k", "v") }) : FSharpList<Tuple<string, string>>.Empty,
        GridChecksumPolicy.Always,                                                            // seeds carry GRID-CHECKSUM (format 1.1)
        Reader.Limits.MaxPixels,                                                              // the reader's 64 x 64: decode raises its reader's limit to this
        o.NetworkTilePixels,
        o.RateLambda);

    public static void Run(byte[] data)
    {
        DecodedImage decoded;
        try
        {
            decoded = ImageCodec.decode(Catalog.Value, Options, Reader, data, CancellationToken.None);
        }
        catch (Exception e) when (e is VqzFormatException or VqzModelException)
        {
            return;
        }
        var h = decoded.Header;
        FuzzInput.Check(decoded.Image.Width == h.Width && decoded.Image.Height == h.Height, "the image does not have the header's size");
        FuzzInput.Check(decoded.Image.Pixels.Length == 3 * h.Width * h.Height, "the image has the wrong number of pixels");
        int levels = VqzLevels.count(Vqz.read(Reader, data));
        FuzzInput.Check(decoded.Grids.Length == levels, $"{decoded.Grids.Length} grids for a file of {levels} code levels");
        var architecture = decoded.Models.VqVae.Network.Architecture;
        for (int l = 0; l < decoded.Grids.Length; l++)
        {
            int k = l == 0 ? architecture.CodebookSize : architecture.Levels![l - 1].CodebookSize;
            FuzzInput.Check(decoded.Grids[l].Length == h.LatentWidth * h.LatentHeight && decoded.Grids[l].All(c => c >= 0 && c < k),
                $"level {l + 1}: codes outside the grid or the alphabet");
        }
    }

    /// <summary>Seed files: small images coded with the tiny models (gated prior whole-grid and tiled,
    /// gray and RGB, the unigram prior, a METADATA chunk; files of 2 and 3 code levels, one with a
    /// GRID-CHECKSUM of every level; a LEVELS chunk beside models of one level).</summary>
    public static void WriteSeeds(string directory)
    {
        Directory.CreateDirectory(directory);
        var catalog = Catalog.Value;
        var vqvae = catalog.Find("vqvae", "fuzz-tiny-f4");
        var gated = catalog.Load(vqvae, catalog.Find("prior", "fuzz-tiny-gated-pixelcnn"));
        var unigram = catalog.Load(vqvae, catalog.Find("prior", "fuzz-tiny-unigram"));
        var levelModels = catalog.Load(catalog.Find("vqvae", "fuzz-tiny-levels"), catalog.Find("prior", "fuzz-tiny-levels-gated-pixelcnn"),
            FSharpOption<ModelSource>.Some(catalog.Find("level-prior", "fuzz-tiny-level-prior")));
        var cases = new (string Name, CodecModels Models, int W, int H, int Channels, int Tile, int Levels, bool Metadata)[]
        {
            ("gated-rgb-16x12", gated, 16, 12, 3, 0, 1, false),
            ("gated-gray-13x9-tiles4", gated, 13, 9, 1, 4, 1, false),
            ("gated-rgb-20x20-tiles8-meta", gated, 20, 20, 3, 8, 1, true),
            ("unigram-rgb-9x7", unigram, 9, 7, 3, 0, 1, false),
            ("levels-gated-rgb-16x12-2levels", levelModels, 16, 12, 3, 0, 2, false),
            ("levels-gated-gray-13x9-tiles4-3levels", levelModels, 13, 9, 1, 4, 3, false),
        };
        foreach (var c in cases)
        {
            var options = With(Options, c.Tile, c.Levels, verify: true, c.Metadata);
            var encoded = ImageCodec.encode(catalog, options, FSharpOption<CodecModels>.Some(c.Models), Image(c.W, c.H, c.Channels), CancellationToken.None);
            File.WriteAllBytes(Path.Combine(directory, c.Name + ".vqz"), encoded.Bytes);
            if (c.Name == "gated-rgb-16x12")
            {
                // The same grid as level 1 of a two-level file (spec §4.6; level 2 an empty stream) under the
                // models of one level, which code no level 2: corrupt at the LEVELS chunk's count.
                var file = Vqz.read(VqzReaderOptions.Default, encoded.Bytes);
                var levels = VqzLevels.create(file.Header, file.Chunks, [file.Payload, ReadOnlyMemory<byte>.Empty]);
                File.WriteAllBytes(Path.Combine(directory, c.Name + "-levels.vqz"), Vqz.write(levels));
            }
        }
    }

    private static RgbImage Image(int w, int h, int channels)
    {
        var px = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = 3 * (y * w + x);
                px[i] = (byte)(x * 255 / w);
                px[i + 1] = channels == 1 ? px[i] : (byte)(y * 255 / h);
                px[i + 2] = channels == 1 ? px[i] : (byte)((x / 4 + y / 3) % 2 * 200);
            }
        return new RgbImage(w, h, px) { SourceChannels = channels };
    }
}
