using static VqVae.Codec.Tool.Tests.TinyTraining;

namespace VqVae.Codec.Tool.Tests;

/// <summary>`vqz train level-prior` end to end on a tiny VQ-VAE with code levels, and its refusals.</summary>
[Collection("codec")]
public sealed class LevelPriorCommandTests(CodecFixture f)
{
    [Fact]
    public async Task Train_a_level_prior_resume_it_and_measure_it_on_held_out_images()
    {
        var dir = f.NewDir("level-prior");
        var vqvae = Path.Combine(dir, "levels.vqm");
        var (code, _, error) = await f.Run(["train", "vqvae", "--data", Data("train-200.tar"), "--limit", "32", "--max-steps", "2", "--warmup", "1",
            "--level-dims", "4,2", "--level-codebook-size", "16", "--out", vqvae, .. Tiny]);
        Assert.True(code == ExitCodes.Ok, error);

        var prior = Path.Combine(dir, "p.vql");
        string[] common = ["train", "level-prior", "--vqvae", vqvae, "--data", Data("train-200.tar"), "--limit", "32", "--crop", "16",
            "--context-channels", "8", "--code-channels", "4", "--hidden-channels", "8", "--batch", "8", "--threads", "1", "--warmup", "0", "--out", prior];
        (code, var output, error) = await f.Run([.. common, "--max-steps", "3", "--checkpoint-every", "2"]);
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains("levels 2..3", output);
        Assert.Contains("level 2", output);
        Assert.Contains("level 3", output);
        Assert.True(File.Exists(prior + ".ckpt"));

        (code, output, error) = await f.Run([.. common, "--max-steps", "5", "--resume", "--eval-data", Data("test-100.tar"), "--eval-limit", "4"]);
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains("after 5 steps", output);
        Assert.Contains("held out (4 images)", output);
        using var model = Models.Priors.CheckerboardLevelModel.Load(prior);
        using var network = Models.Files.VqVaeModel.Load(vqvae);
        Assert.Equal(network.Digest, model.VqVaeDigest);
        Assert.Equal([16, 16], model.Prior.Architecture.LevelCodebookSizes);

        Assert.Contains("identical grids", output);

        (code, output, error) = await f.Run("eval", "level-prior", "--vqvae", vqvae, "--prior", prior, "--data", Data("test-100.tar"), "--limit", "3", "--threads", "1");
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains("held out (3 images)", output);
        Assert.Contains("level 3:", output);

        var other = Path.Combine(dir, "other.vqm");
        (code, _, error) = await f.Run(["train", "vqvae", "--data", Data("train-200.tar"), "--limit", "16", "--max-steps", "1", "--warmup", "1", "--seed", "2",
            "--level-dims", "4,2", "--level-codebook-size", "16", "--out", other, .. Tiny]);
        Assert.True(code == ExitCodes.Ok, error);
        (code, _, error) = await f.Run("eval", "level-prior", "--vqvae", other, "--prior", prior, "--data", Data("test-100.tar"), "--limit", "1");
        Assert.Equal(ExitCodes.MissingModel, code);
        Assert.Contains("another VQ-VAE", error);

        (code, _, error) = await f.Run([.. common, "--max-steps", "1"]);
        Assert.Equal(ExitCodes.OutputError, code);
        Assert.Contains("--force", error);
    }

    [Fact]
    public async Task Bad_options_are_usage_errors()
    {
        var dir = f.NewDir("level-prior-bad");
        var oneLevel = Path.Combine(dir, "one.vqm");
        var (code, _, error) = await f.Run(["train", "vqvae", "--data", Data("train-200.tar"), "--limit", "16", "--max-steps", "1", "--warmup", "1", "--out", oneLevel, .. Tiny]);
        Assert.True(code == ExitCodes.Ok, error);
        (code, _, error) = await f.Run("train", "level-prior", "--vqvae", oneLevel, "--data", Data("train-200.tar"), "--limit", "8", "--out", Path.Combine(dir, "a.vql"));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("one code level", error);

        var levels = Path.Combine(dir, "levels.vqm");
        (code, _, error) = await f.Run(["train", "vqvae", "--data", Data("train-200.tar"), "--limit", "16", "--max-steps", "1", "--warmup", "1",
            "--level-dims", "2", "--level-codebook-size", "8", "--out", levels, .. Tiny]);
        Assert.True(code == ExitCodes.Ok, error);
        foreach (var (bad, says) in new[] { (new[] { "--hidden-channels", "0" }, "channels"), (["--crop", "4"], "--crop"), (["--threads", "-1"], "--threads"),
                     (["--batch", "x"], "--batch"), (["--no-such-option"], "--no-such-option") })
        {
            (code, _, error) = await f.Run(["train", "level-prior", "--vqvae", levels, "--data", Data("train-200.tar"), "--limit", "8", "--out", Path.Combine(dir, "b.vql"), .. bad]);
            Assert.True(code == ExitCodes.Usage, $"{string.Join(' ', bad)}: exit {code}, {error}");
            Assert.Contains(says, error);
        }
        Assert.False(File.Exists(Path.Combine(dir, "b.vql")));
        (code, _, _) = await f.Run("train", "level-prior", "--data", Data("train-200.tar"), "--out", Path.Combine(dir, "c.vql"));
        Assert.Equal(ExitCodes.Usage, code);
    }
}
