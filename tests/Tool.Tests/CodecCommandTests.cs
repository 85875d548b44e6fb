namespace VqVae.Codec.Tool.Tests;

[CollectionDefinition("codec", DisableParallelization = true)]
public sealed class CodecCollection : ICollectionFixture<CodecFixture>;

/// <summary>compress, decompress and roundtrip through the command line: outputs, exit codes, no lost data.</summary>
[Collection("codec")]
public sealed class CodecCommandTests(CodecFixture f)
{
    [Fact]
    public async Task Compress_and_decompress_a_folder_report_rates_and_restore_the_sizes()
    {
        var vqz = f.NewDir("cd-vqz");
        var png = f.NewDir("cd-png");
        var (code, output, error) = await f.Run("compress", f.ImageDir, "-o", vqz, "--model-dir", f.ModelDir);
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains("bpp", output);
        Assert.Contains("3 files: mean", output);
        Assert.Equal(3, Directory.GetFiles(vqz, "*.vqz").Length);
        (code, _, error) = await f.Run("decompress", vqz, "-o", png, "--model-dir", f.ModelDir);
        Assert.True(code == ExitCodes.Ok, error);
        var a = Models.Data.ImageCodecs.Decode(File.ReadAllBytes(Path.Combine(png, "a.png")), "a.png");
        Assert.Equal((37, 29), (a.Width, a.Height));
        Assert.Empty(Directory.GetFiles(f.Root, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Model_names_never_drops_the_names_chunk_and_the_file_still_decodes_with_the_models_at_hand()
    {
        var dir = f.NewDir("names");
        var named = Path.Combine(dir, "named.vqz");
        var bare = Path.Combine(dir, "bare.vqz");
        Assert.Equal(ExitCodes.Ok, (await f.Run("compress", f.Image("b"), "-o", named, "--model-dir", f.ModelDir)).Code);
        var (code, _, error) = await f.Run("compress", f.Image("b"), "-o", bare, "--model-dir", f.ModelDir, "--model-names", "never");
        Assert.True(code == ExitCodes.Ok, error);
        var (_, namedInfo, _) = await f.Run("info", named);
        var (_, bareInfo, _) = await f.Run("info", bare);
        Assert.Contains("model-names", namedInfo);
        Assert.DoesNotContain("model-names", bareInfo);
        Assert.True(new FileInfo(bare).Length < new FileInfo(named).Length);
        (code, _, error) = await f.Run("decompress", bare, "-o", Path.Combine(dir, "bare.png"), "--model-dir", f.ModelDir);
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Equal(ExitCodes.Usage, (await f.Run("compress", f.Image("b"), "-o", Path.Combine(dir, "x.vqz"), "--model-names", "sometimes")).Code);
    }

    [Fact]
    public async Task An_existing_output_is_never_overwritten_without_force()
    {
        var dir = f.NewDir("force");
        var target = Path.Combine(dir, "b.vqz");
        File.WriteAllText(target, "precious");
        var (code, _, error) = await f.Run("compress", f.Image("b"), "-o", target, "--model-dir", f.ModelDir);
        Assert.Equal(ExitCodes.OutputError, code);
        Assert.Contains("--force", error);
        Assert.Equal("precious", File.ReadAllText(target));
        (code, _, _) = await f.Run("compress", f.Image("b"), "-o", target, "--model-dir", f.ModelDir, "--force");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.NotEqual("precious", File.ReadAllText(target));
    }

    [Fact]
    public async Task A_corrupt_file_is_bad_input_with_its_offset_and_leaves_no_output()
    {
        var dir = f.NewDir("corrupt");
        var file = Path.Combine(dir, "b.vqz");
        Assert.Equal(ExitCodes.Ok, (await f.Run("compress", f.Image("b"), "-o", file, "--model-dir", f.ModelDir)).Code);
        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(file, bytes);
        var (code, _, error) = await f.Run("decompress", file, "--model-dir", f.ModelDir);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("at byte", error);
        Assert.False(File.Exists(Path.Combine(dir, "b.png")));
    }

    [Fact]
    public async Task Decoding_without_the_models_exits_4_and_names_them()
    {
        var dir = f.NewDir("missing");
        var file = Path.Combine(dir, "c.vqz");
        Assert.Equal(ExitCodes.Ok, (await f.Run("compress", f.Image("c"), "-o", file, "--model-dir", f.ModelDir)).Code);
        var (code, _, error) = await f.Run("decompress", file);
        Assert.Equal(ExitCodes.MissingModel, code);
        Assert.Contains("'cli-tiny'", error);
        Assert.Contains("sha256", error);
        Assert.False(File.Exists(Path.Combine(dir, "c.png")));
        // With the models embedded, it decodes without them.
        Assert.Equal(ExitCodes.Ok, (await f.Run("compress", f.Image("c"), "-o", file, "--model-dir", f.ModelDir, "--embed-model", "--force")).Code);
        Assert.Equal(ExitCodes.Ok, (await f.Run("decompress", file)).Code);
    }

    [Fact]
    public async Task Usage_errors_exit_2()
    {
        Assert.Equal(ExitCodes.Usage, (await f.Run("compress", f.Image("a"), "--quality", "ultra")).Code);
        Assert.Equal(ExitCodes.Usage, (await f.Run("compress", f.Image("a"), "--model", "x")).Code);
        Assert.Equal(ExitCodes.BadInput, (await f.Run("compress", Path.Combine(f.Root, "nothing-here.png"))).Code);
    }

    [Fact]
    public void Files_encoded_in_separate_processes_with_1_and_2_threads_are_identical_and_decode_to_the_same_codes()
    {
        var dir = f.NewDir("processes");
        var one = Path.Combine(dir, "one.vqz");
        var two = Path.Combine(dir, "two.vqz");
        Assert.Equal(0, f.RunProcess("compress", f.Image("a"), "-o", one, "--model-dir", f.ModelDir, "--threads", "1").Code);
        Assert.Equal(0, f.RunProcess("compress", f.Image("a"), "-o", two, "--model-dir", f.ModelDir, "--threads", "2").Code);
        Assert.Equal(File.ReadAllBytes(one), File.ReadAllBytes(two));

        var decodedOne = Path.Combine(dir, "one.png");
        var decodedTwo = Path.Combine(dir, "two.png");
        Assert.Equal(0, f.RunProcess("decompress", one, "-o", decodedOne, "--model-dir", f.ModelDir, "--threads", "1", "--codes").Code);
        Assert.Equal(0, f.RunProcess("decompress", two, "-o", decodedTwo, "--model-dir", f.ModelDir, "--threads", "2", "--codes").Code);
        var codes = File.ReadAllText(decodedOne + ".codes.txt");
        var lines = codes.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("8 ", lines[0]);                                                  // "height width" (spec/vqz.md §12)
        Assert.Equal(1 + 8, lines.Length);                                                  // ceil(29 / 4) rows
        Assert.Equal(codes, File.ReadAllText(decodedTwo + ".codes.txt"));
        Assert.Equal(File.ReadAllBytes(decodedOne), File.ReadAllBytes(decodedTwo));
    }

    [Fact]
    public async Task A_folder_goes_through_the_batched_path_and_its_files_are_those_coded_one_at_a_time()
    {
        // Seven images: five of one size (one batch in the library), two of others, one file that is not an image.
        var images = f.NewDir("batch-images");
        for (int k = 0; k < 5; k++)
        {
            var image = CodecFixture.Gradient(32, 32);
            for (int b = 0; b < image.Pixels.Length; b++) image.Pixels[b] = (byte)(image.Pixels[b] + 41 * k + b % (k + 2));
            File.WriteAllBytes(Path.Combine(images, $"same-{k}.png"), Models.Data.ImageCodecs.EncodePng(image));
        }
        File.Copy(f.Image("a"), Path.Combine(images, "a.png"));
        File.Copy(f.Image("c"), Path.Combine(images, "c.png"));
        File.WriteAllText(Path.Combine(images, "broken.png"), "not a png");

        var batched = f.NewDir("batch-vqz");
        var (code, output, error) = await f.Run("compress", images, "-o", batched, "--model-dir", f.ModelDir);
        Assert.Equal(ExitCodes.BadInput, code);                                  // broken.png, alone
        Assert.Contains("broken.png", error);
        Assert.Contains("7 files: mean", output);
        Assert.Contains("1 failed", output);
        Assert.Contains("images/s", output);
        Assert.DoesNotContain("same-0.png", output);                            // a summary line, no table
        var single = f.NewDir("batch-vqz-single");
        foreach (var png in Directory.GetFiles(images, "*.png").Where(p => !p.EndsWith("broken.png")))
        {
            var name = Path.GetFileNameWithoutExtension(png);
            Assert.Equal(ExitCodes.Ok, (await f.Run("compress", png, "-o", Path.Combine(single, name + ".vqz"), "--model-dir", f.ModelDir)).Code);
            Assert.Equal(File.ReadAllBytes(Path.Combine(single, name + ".vqz")), File.ReadAllBytes(Path.Combine(batched, name + ".vqz")));
        }
        Assert.Equal(7, Directory.GetFiles(batched, "*.vqz").Length);

        var decoded = f.NewDir("batch-png");
        (code, output, error) = await f.Run("decompress", batched, "-o", decoded, "--model-dir", f.ModelDir, "--table");
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains("7 files decoded", output);
        Assert.Contains("same-0.vqz", output);                                  // --table: a row per file
        foreach (var vqz in Directory.GetFiles(batched, "*.vqz"))
        {
            var one = Path.Combine(single, Path.GetFileNameWithoutExtension(vqz) + ".one.png");
            Assert.Equal(ExitCodes.Ok, (await f.Run("decompress", vqz, "-o", one, "--model-dir", f.ModelDir)).Code);
            Assert.Equal(File.ReadAllBytes(one), File.ReadAllBytes(Path.Combine(decoded, Path.GetFileNameWithoutExtension(vqz) + ".png")));
        }
        Assert.Empty(Directory.GetFiles(f.Root, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_folder_of_more_than_one_batch_keeps_each_file_and_outcome_in_its_place()
    {
        // 260 files: two batches of the pipeline (CompressCommand.BatchFiles = 256), read, coded and written
        // while the next batch is read; one broken file in the second batch.
        Assert.True(VqVae.Codec.Tool.Commands.CompressCommand.BatchFiles < 259);
        var images = f.NewDir("pipeline-images");
        for (int k = 0; k < 260; k++)
        {
            var path = Path.Combine(images, $"t{k:D3}.png");
            if (k == 258) { File.WriteAllText(path, "not a png"); continue; }
            var image = CodecFixture.Gradient(8, 8);
            for (int b = 0; b < image.Pixels.Length; b++) image.Pixels[b] = (byte)(image.Pixels[b] * (k % 7 + 1) + 13 * k + b % (k % 5 + 2));
            File.WriteAllBytes(path, Models.Data.ImageCodecs.EncodePng(image));
        }

        var batched = f.NewDir("pipeline-vqz");
        var (code, output, error) = await f.Run("compress", images, "-o", batched, "--model-dir", f.ModelDir);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("t258.png", error);
        Assert.Contains("259 files: mean", output);
        Assert.Contains("1 failed", output);
        Assert.Equal(259, Directory.GetFiles(batched, "*.vqz").Length);
        Assert.False(File.Exists(Path.Combine(batched, "t258.vqz")));
        var single = f.NewDir("pipeline-single");
        foreach (var k in new[] { 0, 255, 256, 257, 259 })
        {
            var one = Path.Combine(single, $"t{k:D3}.vqz");
            Assert.Equal(ExitCodes.Ok, (await f.Run("compress", Path.Combine(images, $"t{k:D3}.png"), "-o", one, "--model-dir", f.ModelDir)).Code);
            Assert.Equal(File.ReadAllBytes(one), File.ReadAllBytes(Path.Combine(batched, $"t{k:D3}.vqz")));
        }
        Assert.Empty(Directory.GetFiles(f.Root, "*.tmp", SearchOption.AllDirectories));
    }
}
