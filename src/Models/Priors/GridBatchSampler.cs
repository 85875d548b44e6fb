using static TorchSharp.torch;

namespace VqVae.Codec.Models.Priors;

/// <summary>
/// Shuffled batches of code grids [B, h, w] (int64): whole grids when all share one size, otherwise random
/// crops of a given size. Deterministic in (seed, epoch), like <see cref="Data.BatchSampler"/>.
/// </summary>
public sealed class GridBatchSampler
{
    private readonly CodeGridSet set;
    private readonly int? crop;

    /// <summary>Batches of <paramref name="batchSize"/> grids; crops of <paramref name="crop"/> x <paramref name="crop"/> codes when given.</summary>
    public GridBatchSampler(CodeGridSet set, int batchSize, int? crop, int seed)
    {
        if (set.Grids.Count == 0) throw new InvalidOptionsException("no code grids");
        if (crop is null && !set.UniformSize) throw new InvalidOptionsException("code grids differ in size: give a grid crop");
        if (crop is int c && set.Grids.Any(g => g.Height < c || g.Width < c)) throw new InvalidOptionsException($"some grids are smaller than {c}x{c}");
        this.set = set;
        this.crop = crop;
        BatchSize = Math.Min(batchSize, set.Grids.Count);
        Seed = seed;
    }

    /// <summary>Grids per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Seed of shuffling and cropping.</summary>
    public int Seed { get; }

    /// <summary>Full batches per epoch.</summary>
    public int BatchesPerEpoch => set.Grids.Count / BatchSize;

    /// <summary>The batches of an epoch from batch <paramref name="first"/> on.</summary>
    public IEnumerable<Tensor> Epoch(int epoch, int first = 0)
    {
        var random = new Random(Data.EpochSeed.Of(Seed, epoch, 0x9e1d));
        var order = Enumerable.Range(0, set.Grids.Count).ToArray();
        random.Shuffle(order);
        var offsets = order.Select(i => crop is int c ? (random.Next(set.Grids[i].Height - c + 1), random.Next(set.Grids[i].Width - c + 1)) : (0, 0)).ToArray();
        int h = crop ?? set.Grids[0].Height, w = crop ?? set.Grids[0].Width;
        for (int b = first; b < BatchesPerEpoch; b++)
        {
            var data = new long[BatchSize * h * w];
            for (int k = 0; k < BatchSize; k++)
            {
                int n = b * BatchSize + k;
                var g = set.Grids[order[n]];
                var (y0, x0) = offsets[n];
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        data[(k * h + y) * w + x] = g.Codes[(y0 + y) * g.Width + x0 + x];
            }
            yield return tensor(data, [BatchSize, h, w]);
        }
    }
}
