using VqVae.Codec.Models.Data;

namespace VqVae.Codec.Tool.Tests;

/// <summary>Issue 13, "no exit 70 for user mistakes": each is a usage (2), bad input (3) or model (4) error with a clear message.</summary>
[Collection("codec")]
public sealed class UserMistakeTests(CodecFixture f)
{
    [Theory]
    [InlineData("3")]
    [InlineData("512")]
    public async Task A_tile_side_that_is_not_a_power_of_two_from_4_to_256_is_a_usage_error(string side)
    {
        var (code, _, error) = await f.Run("compress", f.Image("b"), "-o", Path.Combine(f.NewDir("tile"), $"t{side}.vqz"), "--model-dir", f.ModelDir, "--tile", side);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--tile", error);
    }

    [Theory]
    [InlineData("{ \"presets\": [ ")]
    [InlineData("""{ "presets": [ { "quality": "ultra", "vqvae": "cli-tiny", "prior": "cli-tiny-gated" } ] }""")]
    public async Task A_broken_presets_file_is_a_model_error_naming_it_and_does_not_stop_decoding(string json)
    {
        var dir = f.NewDir($"presets-{json.Length}");
        var models = Directory.CreateDirectory(Path.Combine(dir, "models")).FullName;
        foreach (var file in Directory.GetFiles(f.ModelDir, "*.vq?")) File.Copy(file, Path.Combine(models, Path.GetFileName(file)));
        var presets = Path.Combine(models, "presets.json");
        File.WriteAllText(presets, json);
        var (code, _, error) = await f.Run("compress", f.Image("b"), "-o", Path.Combine(dir, "b.vqz"), "--model-dir", models);
        Assert.Equal(ExitCodes.MissingModel, code);
        Assert.Contains(presets, error);

        var vqz = Path.Combine(dir, "ok.vqz");
        Assert.Equal(ExitCodes.Ok, (await f.Run("compress", f.Image("b"), "-o", vqz, "--model-dir", f.ModelDir)).Code);
        (code, _, error) = await f.Run("decompress", vqz, "--model-dir", models);
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains("warning", error);
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    public async Task A_device_as_input_is_bad_input_and_is_not_read(string device)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (code, _, error) = await f.Run("compress", device, "-o", Path.Combine(f.NewDir("device"), "d.vqz"), "--model-dir", f.ModelDir);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("not a regular file", error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{clock.Elapsed}");
    }

    [Fact]
    public async Task Info_on_a_fifo_is_bad_input_and_does_not_block()
    {
        var fifo = Path.Combine(f.NewDir("info-fifo"), "pipe.vqz");
        System.Diagnostics.Process.Start("mkfifo", fifo)!.WaitForExit();
        var run = f.Run("info", fifo);
        Assert.Same(run, await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30))));
        var (code, _, error) = await run;
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("not a regular file", error);
    }

    [Fact]
    public async Task An_unknown_option_is_a_usage_error()
    {
        var (code, _, error) = await f.Run("compress", f.Image("b"), "--bogus", "--model-dir", f.ModelDir);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("unknown option '--bogus'", error);
        Assert.Equal(ExitCodes.Usage, (await f.Run("decompress", "--bogus", "x.vqz")).Code);
    }

    [Theory]
    [InlineData("--threads", "100000")]
    [InlineData("--threads", "-1")]
    [InlineData("--jobs", "0")]
    public async Task Thread_and_job_counts_are_bounded(string option, string value)
    {
        var (code, _, error) = await f.Run("compress", f.Image("b"), "-o", Path.Combine(f.NewDir("threads"), "t.vqz"), "--model-dir", f.ModelDir, option, value);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(option, error);
    }

    [Fact]
    public async Task An_image_65536_pixels_wide_is_refused_before_encoding()
    {
        var dir = f.NewDir("wide");
        var wide = Path.Combine(dir, "wide.png");
        File.WriteAllBytes(wide, ImageCodecs.EncodePng(new RgbImage(65536, 1, new byte[65536 * 3])));
        var (code, _, error) = await f.Run("compress", wide, "-o", Path.Combine(dir, "wide.vqz"), "--model-dir", f.ModelDir);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("65535", error);
        Assert.False(File.Exists(Path.Combine(dir, "wide.vqz")));
    }

    [Fact]
    public async Task Control_characters_in_a_message_are_escaped()
    {
        var (code, _, error) = await f.Run("compress", Path.Combine(f.Root, "no\u0001such\u001b[31m.png"));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(@"no\x01such\x1b[31m.png", error);
        Assert.DoesNotContain('\u001b', error);
        Assert.Equal(@"a\x00b", ErrorReport.Printable("a\0b"));
    }

    [Fact]
    public async Task Verbose_prints_the_stack_trace_of_a_file_that_fails()
    {
        var dir = f.NewDir("verbose");
        var broken = Path.Combine(dir, "broken.png");
        File.WriteAllBytes(broken, File.ReadAllBytes(f.Image("b"))[..60]);
        var (code, _, error) = await f.Run("compress", broken, "--model-dir", f.ModelDir);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.DoesNotContain("   at ", error);
        (code, _, error) = await f.Run("compress", broken, "--model-dir", f.ModelDir, "--verbose");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("   at ", error);
    }
}
