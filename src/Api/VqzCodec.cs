using VqVae.Codec.Format;
using VqVae.Codec.Models.Data;
using VqVae.Codec.Models.Evaluation;
using VqVae.Codec.Pipeline;

namespace VqVae.Codec;

/// <summary>
/// The VQ-VAE image codec, for C# and F# callers alike. It owns its models (loaded on first use and kept
/// until <see cref="Dispose"/>):
/// <code>
/// using var codec = VqzCodec.CreateDefault();
/// byte[] vqz = codec.Compress(File.ReadAllBytes("cat.png"));
/// byte[] png = codec.Decompress(vqz);
/// </code>
/// Errors: <see cref="ImageDecodeException"/> (input that is not a readable PNG, JPEG or BMP),
/// <see cref="VqzFormatException"/> (a .vqz file that is not valid), <see cref="VqzModelException"/>
/// (models missing, or not matching a file), <see cref="InvalidOperationException"/> (verification found
/// that the file does not decode to the codes written; nothing is returned), and
/// <see cref="OperationCanceledException"/> (between steps).
/// </summary>
public sealed class VqzCodec : IDisposable
{
    private readonly ModelCatalog catalog;
    private readonly CodecOptions options;
    private bool disposed;

    private VqzCodec(ModelCatalog catalog, CodecOptions options)
    {
        this.catalog = catalog;
        this.options = options;
    }

    /// <summary>
    /// A codec with the models <c>vqz</c> finds with no configuration: models of $VQZ_MODEL_PATH
    /// (colon-separated directories) and ~/.local/share/vqz/models, then the built-in models.
    /// </summary>
    public static VqzCodec CreateDefault(VqzCodecOptions? options = null) => Create([], options);

    /// <summary>
    /// A codec that also searches <paramref name="modelDirectory"/> first, as <c>vqz --model-dir</c> does:
    /// its *.vqm, *.vqp and presets.json, then the places of <see cref="CreateDefault"/>.
    /// </summary>
    public static VqzCodec Create(string modelDirectory, VqzCodecOptions? options = null) => Create([modelDirectory], options);

    /// <summary>A codec that also searches <paramref name="modelDirectories"/> first, in order (see <see cref="Create(string, VqzCodecOptions?)"/>).</summary>
    public static VqzCodec Create(IEnumerable<string> modelDirectories, VqzCodecOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(modelDirectories);
        var directories = modelDirectories.ToArray();
        var codecOptions = (options ?? VqzCodecOptions.Default).ToCodecOptions();   // out-of-range options fail before models are read
        return new VqzCodec(DefaultModels.openCatalog(directories), codecOptions);
    }

    // ---- Encoding -------------------------------------------------------------------------------------

    /// <summary>Encodes a PNG, JPEG or BMP file's bytes; the result carries the .vqz file and its figures.</summary>
    public VqzEncoded Encode(byte[] image, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        return EncodeImage(ImageCodecs.Decode(image, "image"), cancel);
    }

    /// <summary>Encodes the image read from <paramref name="image"/> (to its end).</summary>
    public VqzEncoded Encode(Stream image, CancellationToken cancel = default) => Encode(ReadAll(image), cancel);

    /// <summary>Encodes the image file at <paramref name="imagePath"/>.</summary>
    public VqzEncoded Encode(string imagePath, CancellationToken cancel = default) =>
        EncodeImage(ImageCodecs.Decode(File.ReadAllBytes(imagePath), imagePath), cancel);

    /// <summary>The .vqz file of a PNG, JPEG or BMP file's bytes.</summary>
    public byte[] Compress(byte[] image, CancellationToken cancel = default) => Encode(image, cancel).ToArray();

    /// <summary>Reads an image from <paramref name="image"/> (to its end) and writes its .vqz file to <paramref name="vqz"/>.</summary>
    public VqzEncoded Compress(Stream image, Stream vqz, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(vqz);
        var encoded = Encode(image, cancel);
        vqz.Write(encoded.Bytes.Span);
        return encoded;
    }

    /// <summary>Writes the .vqz file of the image file <paramref name="imagePath"/> to <paramref name="vqzPath"/> (replacing a file there).</summary>
    public VqzEncoded Compress(string imagePath, string vqzPath, CancellationToken cancel = default)
    {
        var encoded = Encode(imagePath, cancel);
        File.WriteAllBytes(vqzPath, encoded.ToArray());
        return encoded;
    }

    /// <summary><see cref="Compress(byte[], CancellationToken)"/> on the thread pool.</summary>
    public Task<byte[]> CompressAsync(byte[] image, CancellationToken cancel = default) =>
        Task.Run(() => Compress(image, cancel), cancel);

    /// <summary><see cref="Compress(Stream, Stream, CancellationToken)"/> with asynchronous stream I/O; the coding runs on the thread pool.</summary>
    public async Task<VqzEncoded> CompressAsync(Stream image, Stream vqz, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(vqz);
        var bytes = await ReadAllAsync(image, cancel).ConfigureAwait(false);
        var encoded = await Task.Run(() => Encode(bytes, cancel), cancel).ConfigureAwait(false);
        await vqz.WriteAsync(encoded.Bytes, cancel).ConfigureAwait(false);
        return encoded;
    }

    // ---- Decoding -------------------------------------------------------------------------------------

    /// <summary>Decodes a .vqz file to its image.</summary>
    public VqzImage Decode(byte[] vqz, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(vqz);
        ObjectDisposedException.ThrowIf(disposed, this);
        var decoded = ImageCodec.decode(catalog, options, VqzReaderOptions.Default, vqz, cancel);
        return new VqzImage(decoded.Image, decoded.Grids, decoded.Header.LatentWidth, decoded.Header.LatentHeight);
    }

    /// <summary>Decodes the .vqz file read from <paramref name="vqz"/> (to its end).</summary>
    public VqzImage Decode(Stream vqz, CancellationToken cancel = default) => Decode(ReadAll(vqz), cancel);

    /// <summary>Decodes the .vqz file at <paramref name="vqzPath"/>.</summary>
    public VqzImage Decode(string vqzPath, CancellationToken cancel = default) => Decode(File.ReadAllBytes(vqzPath), cancel);

    /// <summary>The PNG file of a .vqz file's image (as <c>vqz decompress</c> writes it).</summary>
    public byte[] Decompress(byte[] vqz, CancellationToken cancel = default) => Decode(vqz, cancel).ToPng();

    /// <summary>Reads a .vqz file from <paramref name="vqz"/> (to its end) and writes its image as PNG to <paramref name="png"/>.</summary>
    public VqzImage Decompress(Stream vqz, Stream png, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(png);
        var image = Decode(vqz, cancel);
        image.SavePng(png);
        return image;
    }

    /// <summary>Writes the image of the .vqz file <paramref name="vqzPath"/> as PNG to <paramref name="pngPath"/> (replacing a file there).</summary>
    public VqzImage Decompress(string vqzPath, string pngPath, CancellationToken cancel = default)
    {
        var image = Decode(vqzPath, cancel);
        image.SavePng(pngPath);
        return image;
    }

    /// <summary><see cref="Decompress(byte[], CancellationToken)"/> on the thread pool.</summary>
    public Task<byte[]> DecompressAsync(byte[] vqz, CancellationToken cancel = default) =>
        Task.Run(() => Decompress(vqz, cancel), cancel);

    /// <summary><see cref="Decompress(Stream, Stream, CancellationToken)"/> with asynchronous stream I/O; the decoding runs on the thread pool.</summary>
    public async Task<VqzImage> DecompressAsync(Stream vqz, Stream png, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(png);
        var bytes = await ReadAllAsync(vqz, cancel).ConfigureAwait(false);
        var image = await Task.Run(() => Decode(bytes, cancel), cancel).ConfigureAwait(false);
        await png.WriteAsync(image.ToPng(), cancel).ConfigureAwait(false);
        return image;
    }

    /// <summary>Frees the loaded networks.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        ((IDisposable)catalog).Dispose();
    }

    private VqzEncoded EncodeImage(RgbImage image, CancellationToken cancel)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var encoded = ImageCodec.encode(catalog, options, null, image, cancel);
        var reconstruction = encoded.Reconstruction?.Value;
        var t = encoded.Timings;
        return new VqzEncoded(encoded.Bytes, image.Width, image.Height, encoded.Grids, encoded.Header.LatentWidth, encoded.Header.LatentHeight,
            reconstruction is null ? null : PixelMetrics.Psnr(image, reconstruction),
            reconstruction is null ? null : new VqzImage(reconstruction, encoded.Grids, encoded.Header.LatentWidth, encoded.Header.LatentHeight),
            encoded.Models.VqVaeSource.Name, encoded.Models.PriorSource.Name,
            encoded.Grids.Length > 1 ? encoded.Models.LevelPriorSource?.Value.Name : null, encoded.Header.ModelsTag.ToString(),
            TimeSpan.FromMilliseconds(t.NetworkMs + t.EntropyMs), reconstruction is null ? TimeSpan.Zero : TimeSpan.FromMilliseconds(t.VerifyMs));
    }

    private static byte[] ReadAll(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory, cancel).ConfigureAwait(false);
        return memory.ToArray();
    }
}
