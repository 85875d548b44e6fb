namespace VqVae.Codec.Tool.Tests;

/// <summary>Issue 13: one broken model file in a model folder is skipped with a warning, unless it is the model needed.</summary>
[Collection("codec")]
public sealed class ModelFolderTests(CodecFixture f)
{
    private string FolderWithJunk(string name)
    {
        var models = Directory.CreateDirectory(Path.Combine(f.NewDir(name), "models")).FullName;
        foreach (var file in Directory.GetFiles(f.ModelDir)) File.Copy(file, Path.Combine(models, Path.GetFileName(file)));
        File.WriteAllText(Path.Combine(models, "junk.vqm"), "not a model at all, but long enough to be read as one....");
        return models;
    }

    [Fact]
    public async Task A_broken_model_file_is_skipped_with_a_warning_naming_it()
    {
        var models = FolderWithJunk("junk-skip");
        var target = Path.Combine(Path.GetDirectoryName(models)!, "b.vqz");
        var (code, _, error) = await f.Run("compress", f.Image("b"), "-o", target, "--model-dir", models);
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains("warning", error);
        Assert.Contains(Path.Combine(models, "junk.vqm"), error);
        (code, _, error) = await f.Run("decompress", target, "--model-dir", models);
        Assert.True(code == ExitCodes.Ok, error);
    }

    [Fact]
    public async Task A_broken_model_file_that_is_the_model_asked_for_is_exit_4_naming_it()
    {
        var models = FolderWithJunk("junk-needed");
        var (code, _, error) = await f.Run("compress", f.Image("b"), "-o", Path.Combine(Path.GetDirectoryName(models)!, "b.vqz"),
            "--model-dir", models, "--model", "junk", "--prior", "cli-tiny-gated");
        Assert.Equal(ExitCodes.MissingModel, code);
        Assert.Contains(Path.Combine(models, "junk.vqm") + ": not a vqz model file", error);
    }
}
