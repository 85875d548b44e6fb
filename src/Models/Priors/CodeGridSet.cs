using System.Text;
using VqVae.Codec.Models.Data;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Models.Networks;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Priors;

/// <summary>The code grid of one image and the size of the image it came from.</summary>
public sealed record CodeGrid(int Height, int Width, short[] Codes, int ImageWidth, int ImageHeight);

/// <summary>
/// A data set encoded to code grids by a VQ-VAE (the data set V(X) of section 5.3), computed once and
/// cached to a file so that prior training does not run the encoder every epoch.
/// </summary>
public sealed class CodeGridSet(IReadOnlyList<CodeGrid> grids, int codebookSize, byte[] vqvaeDigest)
{
    private static readonly byte[] Magic = "VQZCODE1"u8.ToArray();

    /// <summary>The grids, in the data set's order.</summary>
    public IReadOnlyList<CodeGrid> Grids { get; } = grids;

    /// <summary>K.</summary>
    public int CodebookSize { get; } = codebookSize;

    /// <summary>Digest of the VQ-VAE that produced the codes.</summary>
    public byte[] VqVaeDigest { get; } = vqvaeDigest;

    /// <summary>Whether all grids have one size.</summary>
    public bool UniformSize => Grids.All(g => g.Height == Grids[0].Height && g.Width == Grids[0].Width);

    /// <summary>Code counts over all grids (the unigram prior).</summary>
    public long[] Histogram()
    {
        var counts = new long[CodebookSize];
        foreach (var g in Grids) foreach (var c in g.Codes) counts[c]++;
        return counts;
    }

    /// <summary>Encodes every image (padded to a multiple of the downsampling, see <see cref="Padding"/>).</summary>
    public static CodeGridSet Encode(VqVaeNetwork network, byte[] digest, ImageDataset data, int batchSize = 256, CancellationToken cancel = default)
    {
        network.eval();
        int f = network.Architecture.Downsampling;
        var grids = new CodeGrid[data.Count];
        var order = Enumerable.Range(0, data.Count).GroupBy(i => (data.Images[i].Width, data.Images[i].Height));
        foreach (var group in order)
            foreach (var chunk in group.Chunk(BatchFor(group.Key.Width, group.Key.Height, batchSize)))
            {
                cancel.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var images = chunk.Select(i => data.Images[i]).ToArray();
                var codes = network.EncodeToCodes(Padding.ToMultiple(ImageTensors.ToTensor(images), f));
                int h = (int)codes.shape[1], w = (int)codes.shape[2];
                var all = codes.to_type(ScalarType.Int16).data<short>().ToArray();
                for (int b = 0; b < chunk.Length; b++)
                    grids[chunk[b]] = new CodeGrid(h, w, all.AsSpan(b * h * w, h * w).ToArray(), images[b].Width, images[b].Height);
            }
        return new CodeGridSet(grids, network.Architecture.CodebookSize, digest);
    }

    /// <summary>Pixels per encoder batch: the VQ-VAE's activations take about 160 bytes per pixel.</summary>
    public const int PixelsPerBatch = 1 << 20;

    /// <summary>Codes per prior batch: the prior's activations take a few kilobytes per code.</summary>
    public const int CodesPerBatch = 1 << 16;

    /// <summary>Items of width x height per batch: at most <paramref name="batchSize"/>, at most
    /// <paramref name="budget"/> elements in all, one item at least (photos must not be batched like
    /// thumbnails).</summary>
    public static int BatchFor(int width, int height, int batchSize, int budget = PixelsPerBatch) =>
        (int)Math.Clamp(budget / Math.Max(1L, (long)width * height), 1, Math.Max(1, batchSize));

    /// <summary>Writes the set atomically.</summary>
    public void Save(string path)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(VqVaeDigest.Length);
            w.Write(VqVaeDigest);
            w.Write(CodebookSize);
            w.Write(Grids.Count);
            foreach (var g in Grids)
            {
                w.Write(g.Height); w.Write(g.Width); w.Write(g.ImageWidth); w.Write(g.ImageHeight);
                foreach (var c in g.Codes) w.Write(c);
            }
        }
        AtomicFile.Write(path, stream.GetBuffer().AsSpan(0, (int)stream.Length));
    }

    /// <summary>Reads a set written by <see cref="Save"/>; null when absent, unreadable or from another VQ-VAE.</summary>
    public static CodeGridSet? TryLoad(string path, byte[] expectedDigest)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var r = new BinaryReader(File.OpenRead(path));
            if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) return null;
            var digest = r.ReadBytes(r.ReadInt32());
            if (!digest.AsSpan().SequenceEqual(expectedDigest)) return null;
            int k = r.ReadInt32(), n = r.ReadInt32();
            var grids = new CodeGrid[n];
            for (int i = 0; i < n; i++)
            {
                int h = r.ReadInt32(), w = r.ReadInt32(), iw = r.ReadInt32(), ih = r.ReadInt32();
                var codes = new short[h * w];
                for (int c = 0; c < codes.Length; c++) codes[c] = r.ReadInt16();
                grids[i] = new CodeGrid(h, w, codes, iw, ih);
            }
            return new CodeGridSet(grids, k, digest);
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or ArgumentException or OverflowException)
        {
            return null;
        }
    }
}
