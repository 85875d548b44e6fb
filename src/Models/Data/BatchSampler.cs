namespace VqVae.Codec.Models.Data;

/// <summary>
/// Shuffled batches of a data set: full images when all share one size, otherwise random square crops.
/// Deterministic: the order and crops of epoch e depend only on (seed, e), so a run resumed at any batch
/// sees exactly the batches an uninterrupted run would have seen.
/// </summary>
public sealed class BatchSampler
{
    private readonly ImageDataset dataset;
    private readonly int? cropSize;

    /// <summary>Batches of <paramref name="batchSize"/>; crops of <paramref name="cropSize"/> when given (required for mixed sizes).</summary>
    public BatchSampler(ImageDataset dataset, int batchSize, int? cropSize, int seed)
    {
        if (dataset.Count == 0) throw new InvalidOptionsException("the data set is empty");
        if (cropSize is null && !dataset.UniformSize)
            throw new InvalidOptionsException("images have different sizes: give a crop size");
        if (cropSize is int c && dataset.Images.Any(i => i.Width < c || i.Height < c))
            throw new InvalidOptionsException($"some images are smaller than the {c}x{c} crop");
        this.dataset = dataset;
        this.cropSize = cropSize;
        BatchSize = Math.Min(batchSize, dataset.Count);
        Seed = seed;
    }

    /// <summary>Images per batch.</summary>
    public int BatchSize { get; }

    /// <summary>The seed of shuffling and cropping.</summary>
    public int Seed { get; }

    /// <summary>Full batches per epoch (the remainder of a shuffled epoch is dropped).</summary>
    public int BatchesPerEpoch => dataset.Count / BatchSize;

    /// <summary>The batches of epoch <paramref name="epoch"/>, starting at batch <paramref name="first"/>.</summary>
    public IEnumerable<IReadOnlyList<RgbImage>> Epoch(int epoch, int first = 0)
    {
        var random = new Random(EpochSeed.Of(Seed, epoch, 0x5eed));
        var order = Enumerable.Range(0, dataset.Count).ToArray();
        random.Shuffle(order);
        var crops = new (int X, int Y)[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            var image = dataset.Images[order[i]];
            crops[i] = cropSize is int c ? (random.Next(image.Width - c + 1), random.Next(image.Height - c + 1)) : (0, 0);
        }
        for (int b = first; b < BatchesPerEpoch; b++)
        {
            var batch = new RgbImage[BatchSize];
            for (int k = 0; k < BatchSize; k++)
            {
                int i = b * BatchSize + k;
                var image = dataset.Images[order[i]];
                batch[k] = cropSize is int c ? image.Crop(crops[i].X, crops[i].Y, c, c) : image;
            }
            yield return batch;
        }
    }
}
