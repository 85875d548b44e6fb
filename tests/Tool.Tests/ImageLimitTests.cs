using System.Buffers.Binary;
using VqVae.Codec.Format;

namespace VqVae.Codec.Tool.Tests;

/// <summary>Issue 13: the pixel limit (--max-pixels) is checked before any work, for images and for .vqz headers;
/// truncated JPEGs are bad input.</summary>
[Collection("codec")]
public sealed class ImageLimitTests(CodecFixture f)
{
    private static string Sample(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "samples"))) dir = dir.Parent;
        return Path.Combine(dir!.FullName, "samples", name);
    }

    [Fact]
    public async Task An_image_over_the_pixel_limit_is_refused_naming_the_limit_and_the_option()
    {
        var dir = f.NewDir("max-pixels");
        var (code, _, error) = await f.Run("compress", f.Image("b"), "-o", Path.Combine(dir, "b.vqz"), "--model-dir", f.ModelDir, "--max-pixels", "1000");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("1000", error);
        Assert.Contains("--max-pixels", error);
        Assert.False(File.Exists(Path.Combine(dir, "b.vqz")));
        Assert.Equal(ExitCodes.Ok, (await f.Run("compress", f.Image("b"), "-o", Path.Combine(dir, "b.vqz"), "--model-dir", f.ModelDir, "--max-pixels", "1024")).Code);
    }

    [Fact]
    public async Task A_png_declaring_more_pixels_than_the_default_limit_is_refused_from_its_header()
    {
        var dir = f.NewDir("huge-png");
        var png = File.ReadAllBytes(f.Image("b"));
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 20000);   // IHDR width, height (CRC no longer matches:
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 20000);   // the header check comes first)
        var huge = Path.Combine(dir, "huge.png");
        File.WriteAllBytes(huge, png);
        var (code, _, error) = await f.Run("compress", huge, "--model-dir", f.ModelDir);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("20000x20000", error);
        Assert.Contains("--max-pixels", error);
    }

    [Fact]
    public async Task A_vqz_header_declaring_4096_x_4096_without_payload_is_refused_before_decoding()
    {
        var dir = f.NewDir("huge-vqz");
        var small = Path.Combine(dir, "b.vqz");
        Assert.Equal(ExitCodes.Ok, (await f.Run("compress", f.Image("b"), "-o", small, "--model-dir", f.ModelDir)).Code);
        var h = Vqz.read(VqzReaderOptions.Default, File.ReadAllBytes(small)).Header;
        var header = new VqzHeader(h.Version, 4096, 4096, h.Colour, h.Downsampling, h.Tiling, h.Coding, h.ModelsTag);
        var huge = Path.Combine(dir, "huge.vqz");
        File.WriteAllBytes(huge, Vqz.write(new VqzFile(header, Microsoft.FSharp.Collections.FSharpList<VqzChunk>.Empty, ReadOnlyMemory<byte>.Empty)));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (code, _, error) = await f.Run("decompress", huge, "--model-dir", f.ModelDir);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("4096x4096", error);
        Assert.Contains("--max-pixels", error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{clock.Elapsed}");
        Assert.False(File.Exists(Path.Combine(dir, "huge.png")));
    }

    /// <summary>Bounded whatever a file declares: a header of 16384 x 16384 (2^28 pixels, the format's own limit,
    /// spec §9) or 65535 x 65535 (above it) with an empty payload, which the format allows, is refused before
    /// anything is decoded: by --max-pixels, or by the reader's MaxPixels.</summary>
    [Theory]
    [InlineData(16384, "16384x16384")]
    [InlineData(65535, "4294836225")]
    public async Task A_vqz_header_declaring_a_huge_size_without_payload_is_refused_quickly(int side, string named)
    {
        var dir = f.NewDir($"huge-vqz-{side}");
        var small = Path.Combine(dir, "b.vqz");
        Assert.Equal(ExitCodes.Ok, (await f.Run("compress", f.Image("b"), "-o", small, "--model-dir", f.ModelDir)).Code);
        var h = Vqz.read(VqzReaderOptions.Default, File.ReadAllBytes(small)).Header;
        var header = new VqzHeader(h.Version, side, side, h.Colour, h.Downsampling, h.Tiling, h.Coding, h.ModelsTag);
        var unbounded = new VqzLimits(VqzLimits.Default.MaxSide, long.MaxValue, VqzLimits.Default.MaxChunks, VqzLimits.Default.MaxChunkBytes,
            VqzLimits.Default.MaxEmbeddedModelBytes, VqzLimits.Default.MaxModelBytes, VqzLimits.Default.MaxFileBytes);
        var bytes = Vqz.write(new VqzFile(header, Microsoft.FSharp.Collections.FSharpList<VqzChunk>.Empty, ReadOnlyMemory<byte>.Empty));
        Assert.Equal(side, Vqz.read(new VqzReaderOptions(unbounded, true), bytes).Header.Width);   // a valid file, only large
        var huge = Path.Combine(dir, "huge.vqz");
        File.WriteAllBytes(huge, bytes);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (code, _, error) = await f.Run("decompress", huge, "--model-dir", f.ModelDir);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(named, error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{clock.Elapsed}");
        Assert.False(File.Exists(Path.Combine(dir, "huge.png")));
    }

    [Theory]
    [InlineData(250)]
    [InlineData(67553)]
    public async Task A_truncated_jpeg_is_bad_input_every_time(int length)
    {
        var dir = f.NewDir($"cut-{length}");
        var cut = Path.Combine(dir, "cut.jpg");
        File.WriteAllBytes(cut, File.ReadAllBytes(Sample("bsds-101027-768x512.jpg"))[..length]);
        for (int run = 0; run < 2; run++)
        {
            var (code, _, error) = await f.Run("compress", cut, "--model-dir", f.ModelDir, "--max-pixels", "1000000");
            Assert.Equal(ExitCodes.BadInput, code);
            Assert.Contains("truncated", error);
        }
        Assert.False(File.Exists(Path.Combine(dir, "cut.vqz")));
    }
}
