namespace VqVae.Codec.Models.Data;

/// <summary>
/// Decoded images held in memory (CIFAR-10 train is 150 MB decoded), so that an epoch does not decode
/// JPEGs again. Loading decodes in parallel and can use an on-disk cache of the decoded pixels.
/// </summary>
public sealed class ImageDataset
{
    /// <summary>Wraps decoded images and their names.</summary>
    public ImageDataset(IReadOnlyList<RgbImage> images, IReadOnlyList<string> names)
    {
        if (images.Count != names.Count) throw new ArgumentException("one name per image");
        Images = images;
        Names = names;
    }

    /// <summary>The images, in name order.</summary>
    public IReadOnlyList<RgbImage> Images { get; }

    /// <summary>Names (paths or archive entries), parallel to <see cref="Images"/>.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The number of images.</summary>
    public int Count => Images.Count;

    /// <summary>Whether every image has the same size (then batches need no cropping).</summary>
    public bool UniformSize => Images.All(i => i.Width == Images[0].Width && i.Height == Images[0].Height);

    /// <summary>Variance of all pixel values scaled to [0, 1] (the normaliser of the reconstruction error).</summary>
    public double PixelVariance()
    {
        double sum = 0, sumSq = 0;
        long n = 0;
        foreach (var image in Images)
        {
            long s = 0, sq = 0;
            foreach (byte b in image.Pixels) { s += b; sq += b * b; }
            sum += s; sumSq += sq; n += image.Pixels.Length;
        }
        double mean = sum / n / 255.0;
        return sumSq / n / (255.0 * 255.0) - mean * mean;
    }

    /// <summary>Loads and decodes the selected images of a file, folder or tar, using the cache when given.</summary>
    public static ImageDataset Load(string path, ImageSelection selection, DecodedCache? cache = null, CancellationToken cancel = default)
    {
        if (cache?.TryLoad(path, selection) is { } cached) return cached;
        var entries = ImageSource.Read(path, selection);
        var images = new RgbImage[entries.Count];
        Parallel.For(0, entries.Count, new ParallelOptions { CancellationToken = cancel }, i =>
            images[i] = ImageCodecs.Decode(entries[i].Bytes, $"{path}:{entries[i].Name}"));
        var dataset = new ImageDataset(images, entries.Select(e => e.Name).ToArray());
        cache?.Store(path, selection, dataset);
        return dataset;
    }
}
