using VqVae.Codec.Models.Data;

namespace VqVae.Codec.Models.Tests;

public sealed class ImageDataTests
{
    [Fact]
    public void Pixel_variance_is_the_mean_square_less_the_squared_mean_over_every_sample()
    {
        // Samples 0, 51, ..., 255 over two 1x1 images: 0, 0.2, 0.4, 0.6, 0.8, 1 on [0, 1].
        // mean 0.5; mean square (0 + 0.04 + 0.16 + 0.36 + 0.64 + 1) / 6 = 2.2 / 6; variance 2.2 / 6 - 0.25 = 7/60.
        var data = new ImageDataset([new RgbImage(1, 1, [0, 51, 102]), new RgbImage(1, 1, [153, 204, 255])], ["a", "b"]);
        Assert.Equal(7.0 / 60, data.PixelVariance(), 12);
    }

    [Fact]
    public void Reads_jpegs_straight_from_a_tar_in_name_order()
    {
        var data = TestData.CifarTrain();
        Assert.Equal(200, data.Count);
        Assert.All(data.Images, i => Assert.Equal((32, 32, 32 * 32 * 3), (i.Width, i.Height, i.Pixels.Length)));
        Assert.Equal(data.Names.OrderBy(n => n, StringComparer.Ordinal), data.Names);
        Assert.StartsWith("train/airplane/", data.Names[0]);
    }

    [Fact]
    public void Per_folder_takes_the_first_n_of_every_class_not_the_first_files_of_the_tar()
    {
        var data = ImageDataset.Load(TestData.CifarTestTar, new ImageSelection { PerFolder = 2 });
        Assert.Equal(20, data.Count);
        Assert.Equal(10, data.Names.Select(n => n.Split('/')[1]).Distinct().Count());
        Assert.Contains("test/truck/0001.jpg", data.Names);
    }

    [Fact]
    public void Reads_a_folder_and_png_bmp_written_by_the_encoders()
    {
        using var dir = TestData.TempDir();
        var image = TestData.CifarTest(1).Images[0];
        File.WriteAllBytes(dir.File("a.png"), ImageCodecs.EncodePng(image));
        File.WriteAllBytes(dir.File("b.bmp"), ImageCodecs.EncodeBmp(image));
        File.WriteAllText(dir.File("notes.txt"), "not an image");
        var data = ImageDataset.Load(dir.Path, new ImageSelection());
        Assert.Equal(new[] { "a.png", "b.bmp" }, data.Names);
        Assert.All(data.Images, i => Assert.Equal(image.Pixels, i.Pixels));   // PNG and BMP are lossless
    }

    [Fact]
    public void Corrupt_image_bytes_give_a_typed_error_naming_the_file()
    {
        var e = Assert.Throws<ImageDecodeException>(() => ImageCodecs.Decode([0x89, 0x50, 0x4E, 0x47, 1, 2, 3], "broken.png"));
        Assert.Contains("broken.png", e.Message);
    }

    [Fact]
    public void The_decoded_cache_returns_the_same_pixels()
    {
        using var dir = TestData.TempDir();
        var cache = new DecodedCache(dir.Path);
        var selection = new ImageSelection { Limit = 10 };
        var first = ImageDataset.Load(TestData.CifarTestTar, selection, cache);
        var second = cache.TryLoad(TestData.CifarTestTar, selection);
        Assert.NotNull(second);
        Assert.Equal(first.Names, second!.Names);
        for (int i = 0; i < first.Count; i++) Assert.Equal(first.Images[i].Pixels, second.Images[i].Pixels);
    }

    [Fact]
    public void Batches_are_deterministic_per_epoch_and_resume_mid_epoch()
    {
        var data = TestData.CifarTrain(40);
        var a = new BatchSampler(data, 8, cropSize: 16, seed: 5);
        var b = new BatchSampler(data, 8, cropSize: 16, seed: 5);
        var all = a.Epoch(3).ToList();
        var resumed = b.Epoch(3, first: 2).ToList();
        Assert.Equal(5, all.Count);
        Assert.Equal(3, resumed.Count);
        for (int i = 0; i < 3; i++)
            for (int k = 0; k < 8; k++)
                Assert.Equal(all[i + 2][k].Pixels, resumed[i][k].Pixels);
        Assert.NotEqual(all[0][0].Pixels, a.Epoch(4).First()[0].Pixels);
    }

    [Fact]
    public void The_shuffle_is_the_same_in_every_process()
    {
        // A resumed run starts in a new process: the order must not depend on per-process hash seeds.
        var data = TestData.CifarTrain(40);
        var first = new BatchSampler(data, 8, cropSize: null, seed: 1).Epoch(0).First();
        var indices = first.Select(image => data.Images.ToList().IndexOf(image)).ToArray();
        Console.WriteLine($"seed 1, epoch 0, first batch: {string.Join(", ", indices)}");
        Assert.Equal(Expected, indices);
    }

    private static readonly int[] Expected = [33, 30, 16, 24, 14, 36, 6, 1];
}
