using VqVae.Codec.Tool.Commands;

namespace VqVae.Codec.Tool.Tests;

/// <summary>Issue 13: folder walks follow symbolic links but each real folder once, so cycles end. The cycles
/// live in a folder of their own, outside the fixture's: .NET's own recursive listing (other tests list the
/// fixture's folder) follows them 40 links deep.</summary>
[Collection("codec")]
public sealed class FolderWalkTests(CodecFixture f) : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("vqz-cycles-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string NewDir(string name) => Directory.CreateDirectory(Path.Combine(root, name)).FullName;

    [Fact]
    public void Symbolic_link_cycles_list_each_image_once()
    {
        var dir = NewDir("cycle");
        var sub = Directory.CreateDirectory(Path.Combine(dir, "sub")).FullName;
        File.Copy(f.Image("a"), Path.Combine(dir, "a.png"));
        File.Copy(f.Image("b"), Path.Combine(sub, "b.png"));
        File.CreateSymbolicLink(Path.Combine(dir, "self"), ".");
        File.CreateSymbolicLink(Path.Combine(dir, "again"), ".");
        File.CreateSymbolicLink(Path.Combine(sub, "up"), "..");
        File.CreateSymbolicLink(Path.Combine(sub, "top"), dir);
        var files = InputFiles.Expand([dir], Models.Data.ImageCodecs.IsImageName);
        Assert.Equal([Path.Combine(dir, "a.png"), Path.Combine(sub, "b.png")], files);
    }

    [Fact]
    public async Task Compressing_a_folder_with_a_link_cycle_writes_each_image_once()
    {
        var dir = NewDir("cycle-cli");
        File.Copy(f.Image("b"), Path.Combine(dir, "b.png"));
        File.CreateSymbolicLink(Path.Combine(dir, "loop"), ".");
        var output = Path.Combine(root, "cycle-cli-out") + "/";
        var (code, _, error) = await f.Run("compress", dir, "-o", output, "--model-dir", f.ModelDir);
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Equal(["b.vqz"], Directory.GetFiles(output).Select(Path.GetFileName));
    }
}
