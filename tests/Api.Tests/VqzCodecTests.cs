using VqVae.Codec.Format;
using VqVae.Codec.Models.Data;
using VqVae.Codec.Models.Evaluation;
using VqVae.Codec.Pipeline;
using Xunit.Abstractions;

namespace VqVae.Codec.Api.Tests;

/// <summary>The C# front door on a committed sample (32 x 32 CIFAR-10 cat) with the built-in models.</summary>
public sealed class VqzCodecTests(DefaultCodec fixture, ITestOutputHelper output) : IClassFixture<DefaultCodec>
{
    private static readonly string CatPath = Repo.Path("samples/cifar10-test-cat-0000.png");
    private static readonly byte[] Cat = File.ReadAllBytes(CatPath);

    /// <summary>
    /// Floor of the cat's PSNR through the built-in high preset (cifar10-ng-f4 + gated prior). Measured:
    /// 23.60 dB at 80 bytes (0.625 bpp) on 2026-12-03; the floor is 1.6 dB under it.
    /// </summary>
    private const double HighPsnrFloor = 22.0;

    [Fact]
    public void The_three_line_program_round_trips_a_sample()
    {
        using var codec = VqzCodec.CreateDefault();
        byte[] vqz = codec.Compress(File.ReadAllBytes(CatPath));
        byte[] png = codec.Decompress(vqz);

        var original = ImageCodecs.Decode(Cat, CatPath);
        var decoded = ImageCodecs.Decode(png, "decoded");
        double psnr = PixelMetrics.Psnr(original, decoded);
        output.WriteLine($"vqz {vqz.Length} bytes ({vqz.Length * 8.0 / 1024:F3} bpp), PNG in {Cat.Length} bytes, PSNR {psnr:F2} dB");
        Assert.Equal((32, 32), (decoded.Width, decoded.Height));
        Assert.InRange(vqz.Length, 16, Cat.Length - 1);
        Assert.True(psnr > HighPsnrFloor, $"PSNR {psnr:F2} dB is under the floor {HighPsnrFloor} dB");
    }

    [Fact]
    public void Encode_reports_size_bpp_psnr_and_models_and_decode_gives_its_codes()
    {
        var encoded = fixture.Codec.Encode(Cat);
        var decoded = fixture.Codec.Decode(encoded.ToArray());

        Assert.Equal(encoded.Bytes.Length, encoded.Length);
        Assert.Equal(encoded.Length * 8.0 / (32 * 32), encoded.BitsPerPixel);
        Assert.Equal(("cifar10-ng-f4", "cifar10-ng-f4-gated"), (encoded.VqVaeModel, encoded.PriorModel));
        Assert.Equal((8, 8), (encoded.LatentWidth, encoded.LatentHeight));   // downsampling 4
        Assert.Equal(64, encoded.Codes.Count);
        Assert.Equal(encoded.Codes, decoded.Codes);
        Assert.Equal((8, 8), (decoded.LatentWidth, decoded.LatentHeight));
        Assert.Equal((32, 32, 32 * 32 * 3), (decoded.Width, decoded.Height, decoded.Pixels.Length));
        Assert.False(decoded.IsGrayscale);
        // The verified reconstruction is the decoder's image, and the PSNR is of it against the input.
        Assert.NotNull(encoded.Reconstruction);
        Assert.Equal(decoded.Pixels.ToArray(), encoded.Reconstruction!.Pixels.ToArray());
        Assert.Equal(PixelMetrics.Psnr(ImageCodecs.Decode(Cat, CatPath), ImageCodecs.Decode(decoded.ToPng(), "decoded")), encoded.Psnr);
        Assert.Matches("^[0-9a-f]{8}$", encoded.ModelsTag);
    }

    [Fact]
    public async Task Streams_paths_and_async_give_the_bytes_of_the_array_overloads()
    {
        var codec = fixture.Codec;
        byte[] vqz = codec.Compress(Cat);
        byte[] png = codec.Decompress(vqz);

        using (var input = new MemoryStream(Cat))
        using (var written = new MemoryStream())
        {
            var encoded = codec.Compress(input, written);
            Assert.Equal(vqz, written.ToArray());
            Assert.Equal(vqz, encoded.ToArray());
        }
        using (var input = new MemoryStream(vqz))
        using (var written = new MemoryStream())
        {
            var image = codec.Decompress(input, written);
            Assert.Equal(png, written.ToArray());
            Assert.Equal((32, 32), (image.Width, image.Height));
        }

        var dir = Directory.CreateTempSubdirectory("vqz-api-").FullName;
        try
        {
            string vqzPath = Path.Combine(dir, "cat.vqz"), pngPath = Path.Combine(dir, "cat.png");
            codec.Compress(CatPath, vqzPath);
            Assert.Equal(vqz, File.ReadAllBytes(vqzPath));
            codec.Decompress(vqzPath, pngPath);
            Assert.Equal(png, File.ReadAllBytes(pngPath));
            Assert.Equal(vqz, codec.Encode(CatPath).ToArray());
            Assert.Equal(png, codec.Decode(vqzPath).ToPng());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        Assert.Equal(vqz, await codec.CompressAsync(Cat));
        Assert.Equal(png, await codec.DecompressAsync(vqz));
        using (var input = new MemoryStream(Cat))
        using (var written = new MemoryStream())
        {
            await codec.CompressAsync(input, written);
            Assert.Equal(vqz, written.ToArray());
        }
        using (var input = new MemoryStream(vqz))
        using (var written = new MemoryStream())
        {
            await codec.DecompressAsync(input, written);
            Assert.Equal(png, written.ToArray());
        }
    }

    [Fact]
    public void Options_choose_the_preset_and_verification()
    {
        var options = VqzCodecOptions.Default with { Quality = VqzQuality.Low, Verify = false };
        using var codec = VqzCodec.CreateDefault(options);
        var encoded = codec.Encode(Cat);

        Assert.Equal(VqzQuality.High, VqzCodecOptions.Default.Quality);   // `with` copied, the defaults stay
        Assert.Equal(("cifar10-ng-f8", "cifar10-ng-f8-gated"), (encoded.VqVaeModel, encoded.PriorModel));
        Assert.Equal((4, 4), (encoded.LatentWidth, encoded.LatentHeight));   // downsampling 8
        Assert.Null(encoded.Psnr);
        Assert.Null(encoded.Reconstruction);
        Assert.Equal(TimeSpan.Zero, encoded.VerifyTime);
        // Another codec (the default one) decodes it: the file names its models by tag.
        Assert.Equal(encoded.Codes, fixture.Codec.Decode(encoded.ToArray()).Codes);
    }

    [Fact]
    public void Metadata_goes_into_the_file()
    {
        using var codec = VqzCodec.CreateDefault(new VqzCodecOptions { Metadata = [KeyValuePair.Create("source", "cifar10 test 0")], Verify = false });
        var file = Vqz.read(VqzReaderOptions.Default, codec.Compress(Cat));
        var metadata = file.Chunks.Select(c => c as VqzChunk.Metadata).Single(c => c is not null)!.Item.Single();
        Assert.Equal(("source", "cifar10 test 0"), (metadata.Key, metadata.Value));
    }

    [Fact]
    public void Model_names_and_grid_checksum_follow_their_options()
    {
        static IEnumerable<VqzChunk> Chunks(byte[] vqz) => Vqz.read(VqzReaderOptions.Default, vqz).Chunks;

        // Defaults on a 32 x 32 image with built-in models: neither chunk (a 1.0 file of 80 bytes).
        Assert.Empty(Chunks(fixture.Codec.Compress(Cat)));
        using var codec = VqzCodec.CreateDefault(new VqzCodecOptions { ModelNames = VqzModelNames.Always, GridChecksum = VqzGridChecksum.Always, Verify = false });
        var vqz = codec.Compress(Cat);
        var file = Vqz.read(VqzReaderOptions.Default, vqz);
        Assert.Contains(file.Chunks, c => c.IsModelNames);
        Assert.Contains(file.Chunks, c => c.IsGridChecksum);
        Assert.Equal((1, 1), (file.Header.Version.Major, file.Header.Version.Minor));
        Assert.Equal(fixture.Codec.Encode(Cat).Codes, fixture.Codec.Decode(vqz).Codes);
    }

    [Fact]
    public void A_grayscale_image_decodes_to_a_grayscale_png()
    {
        var gray = ImageCodecs.EncodePng(ImageCodecs.Decode(Cat, CatPath), gray: true);   // the cat's red channel as a gray PNG
        var image = fixture.Codec.Decode(fixture.Codec.Compress(gray));
        Assert.True(image.IsGrayscale);
        var pixels = image.Pixels.ToArray();
        Assert.All(Enumerable.Range(0, 32 * 32), p => Assert.True(pixels[3 * p] == pixels[3 * p + 1] && pixels[3 * p] == pixels[3 * p + 2]));
        Assert.Equal(1, ImageCodecs.Decode(image.ToPng(), "decoded").SourceChannels);
    }

    [Fact]
    public void The_defaults_are_the_library_defaults()
    {
        Assert.Equal(CodecOptions.Default, VqzCodecOptions.Default.ToCodecOptions());
        Assert.Equal(CodecOptions.Default, new VqzCodecOptions().ToCodecOptions());
    }

    [Fact]
    public void Out_of_range_options_are_refused_before_models_are_read()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => VqzCodec.CreateDefault(new VqzCodecOptions { Threads = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => VqzCodec.CreateDefault(new VqzCodecOptions { TileSide = 12 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => VqzCodec.CreateDefault(new VqzCodecOptions { RateLambda = -0.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => VqzCodec.CreateDefault(new VqzCodecOptions { RateLambda = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => VqzCodec.CreateDefault(new VqzCodecOptions { RateLambda = double.PositiveInfinity }));
        Assert.Throws<ArgumentOutOfRangeException>(() => VqzCodec.CreateDefault(new VqzCodecOptions { RateLambda = 100.5 }));
    }

    [Fact]
    public void Errors_are_typed()
    {
        var codec = fixture.Codec;
        Assert.Throws<ImageDecodeException>(() => codec.Compress("not an image"u8.ToArray()));
        Assert.Throws<VqzFormatException>(() => codec.Decompress("not a vqz file"u8.ToArray()));
        var vqz = codec.Compress(Cat);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => codec.Compress(Cat, cancelled.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => codec.Decompress(vqz, cancelled.Token));
        using var disposed = VqzCodec.CreateDefault();
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => disposed.Compress(Cat));
    }
}
