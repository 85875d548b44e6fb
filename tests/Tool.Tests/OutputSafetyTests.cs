using VqVae.Codec.Models.Data;
using VqVae.Codec.Models.Files;

namespace VqVae.Codec.Tool.Tests;

/// <summary>Issue 13, "never lose a file": what --force may replace, inputs that are outputs, outputs shared by two inputs.</summary>
[Collection("codec")]
public sealed class OutputSafetyTests(CodecFixture f)
{
    [Fact]
    public async Task Force_does_not_replace_a_device_node_and_exits_5()
    {
        var dir = f.NewDir("force-device");
        var node = Path.Combine(dir, "fakenull");
        System.Diagnostics.Process.Start("mknod", ["-m", "666", node, "c", "1", "3"])!.WaitForExit();
        Assert.Equal(FileKind.Special, FileStatus.Of(node).Kind);
        var (code, _, error) = await f.Run("compress", f.Image("b"), "-o", node, "--model-dir", f.ModelDir, "--force");
        Assert.Equal(ExitCodes.OutputError, code);
        Assert.Contains("not a regular file", error);
        Assert.Equal(FileKind.Special, FileStatus.Of(node).Kind);
    }

    [Fact]
    public async Task Force_does_not_replace_a_symbolic_link_or_a_folder()
    {
        var dir = f.NewDir("force-link");
        var precious = Path.Combine(dir, "precious.png");
        File.WriteAllText(precious, "precious");
        var link = Path.Combine(dir, "link.vqz");
        File.CreateSymbolicLink(link, precious);
        Assert.Equal(ExitCodes.OutputError, (await f.Run("compress", f.Image("b"), "-o", link, "--model-dir", f.ModelDir, "--force")).Code);
        Assert.Equal(FileKind.SymbolicLink, FileStatus.Of(link).Kind);
        Assert.Equal("precious", File.ReadAllText(precious));
    }

    [Fact]
    public async Task An_input_that_is_its_own_output_is_refused_with_exit_2()
    {
        var dir = f.NewDir("same");
        var png = Path.Combine(dir, "s.png");
        File.Copy(f.Image("b"), png);
        var before = File.ReadAllBytes(png);
        var (code, _, error) = await f.Run("compress", png, "-o", png, "--model-dir", f.ModelDir, "--force");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("is the input", error);
        Assert.Equal(before, File.ReadAllBytes(png));

        var vqz = Path.Combine(dir, "a.vqz");
        Assert.Equal(ExitCodes.Ok, (await f.Run("compress", png, "-o", vqz, "--model-dir", f.ModelDir)).Code);
        var encoded = File.ReadAllBytes(vqz);
        Assert.Equal(ExitCodes.Usage, (await f.Run("decompress", vqz, "-o", vqz, "--model-dir", f.ModelDir, "--force")).Code);
        Assert.Equal(encoded, File.ReadAllBytes(vqz));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Two_inputs_with_one_output_are_refused_before_any_work(bool parallelForce)
    {
        var dir = f.NewDir($"clash-{parallelForce}");
        var a = Directory.CreateDirectory(Path.Combine(dir, "a")).FullName;
        var b = Directory.CreateDirectory(Path.Combine(dir, "b")).FullName;
        File.Copy(f.Image("b"), Path.Combine(a, "y.png"));
        File.Copy(f.Image("c"), Path.Combine(b, "y.png"));
        File.Copy(f.Image("a"), Path.Combine(a, "x.png"));
        File.WriteAllBytes(Path.Combine(a, "x.jpg"), ImageCodecs.EncodeJpeg(CodecFixture.Gradient(16, 16), 90));
        var outDir = Path.Combine(dir, "out");
        string[] extra = parallelForce ? ["-j", "2", "--force"] : [];
        var (code, _, error) = await f.Run(["compress", Path.Combine(a, "y.png"), Path.Combine(b, "y.png"), "-o", outDir, "--model-dir", f.ModelDir, .. extra]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("would both be written to", error);
        (code, _, error) = await f.Run(["compress", a, "-o", outDir, "--model-dir", f.ModelDir, .. extra]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("x.jpg", error);
        Assert.Empty(Directory.GetFiles(outDir));
    }
}
