using static VqVae.Codec.Tool.Tests.TinyTraining;
using TorchSharp;

namespace VqVae.Codec.Tool.Tests;

/// <summary>`vqz train prior --init` and `train level-prior --init`: a prior fine-tuned from another one starts from its weights; refusals.</summary>
[Collection("codec")]
public sealed class PriorInitCommandTests(CodecFixture f)
{
    /// <summary>The largest difference between two state dicts with the same names and shapes.</summary>
    private static double MaxDifference(torch.nn.Module a, torch.nn.Module b)
    {
        var x = a.state_dict();
        var y = b.state_dict();
        Assert.Equal(x.Keys.Order(), y.Keys.Order());
        return x.Max(p => (p.Value - y[p.Key]).abs().max().item<float>());
    }

    [Fact]
    public async Task A_prior_and_a_level_prior_fine_tuned_from_others_start_from_their_weights()
    {
        var dir = f.NewDir("prior-init");
        var vqvae = Path.Combine(dir, "levels.vqm");
        var (code, _, error) = await f.Run(["train", "vqvae", "--data", Data("train-200.tar"), "--limit", "32", "--max-steps", "2", "--warmup", "1",
            "--level-dims", "4", "--level-codebook-size", "16", "--out", vqvae, .. Tiny]);
        Assert.True(code == ExitCodes.Ok, error);

        // Trained a few steps from scratch (at a large rate), then one step from it at a rate that moves no weight visibly.
        string[] prior = ["train", "prior", "--vqvae", vqvae, "--data", Data("train-200.tar"), "--limit", "32", "--batch", "16", "--threads", "1", "--warmup", "0"];
        var a = Path.Combine(dir, "a.vqp");
        (code, _, error) = await f.Run([.. prior, "--arch", "gated-pixelcnn", "--channels", "8", "--layers", "1", "--head-channels", "16", "--lr", "1e-2", "--max-steps", "3", "--out", a]);
        Assert.True(code == ExitCodes.Ok, error);
        var b = Path.Combine(dir, "b.vqp");
        (code, var output, error) = await f.Run([.. prior, "--init", a, "--lr", "1e-9", "--max-steps", "1", "--out", b]);
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains($"prior fine-tuned from {a}", output);
        using (var start = Models.Priors.PriorModel.Load(a))
        using (var tuned = Models.Priors.PriorModel.Load(b))
        using (var fresh = Models.Priors.PriorFactory.Create(start.Prior.Architecture))
        {
            Assert.Equal(start.Prior.Architecture, tuned.Prior.Architecture);
            Assert.InRange(MaxDifference(start.Prior, tuned.Prior), 0.0, 1e-5);
            Assert.True(MaxDifference(start.Prior, fresh) > 1e-2, "a fresh prior must differ from the start");
        }

        string[] levelPrior = ["train", "level-prior", "--vqvae", vqvae, "--data", Data("train-200.tar"), "--limit", "16", "--crop", "16",
            "--batch", "8", "--threads", "1", "--warmup", "0"];
        var c = Path.Combine(dir, "c.vql");
        (code, _, error) = await f.Run([.. levelPrior, "--context-channels", "8", "--code-channels", "4", "--hidden-channels", "8", "--lr", "1e-2", "--max-steps", "3", "--out", c]);
        Assert.True(code == ExitCodes.Ok, error);
        var d = Path.Combine(dir, "d.vql");
        (code, output, error) = await f.Run([.. levelPrior, "--init", c, "--lr", "1e-9", "--max-steps", "1", "--out", d]);
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains($"fine-tuned from {c}", output);
        using (var start = Models.Priors.CheckerboardLevelModel.Load(c))
        using (var tuned = Models.Priors.CheckerboardLevelModel.Load(d))
        {
            Assert.Equal(8, tuned.Prior.Architecture.HiddenChannels);
            Assert.InRange(MaxDifference(start.Prior, tuned.Prior), 0.0, 1e-5);
        }

        // Refused before training: an architecture option beside --init, a static prior, a prior of another alphabet or levels.
        (code, _, error) = await f.Run([.. prior, "--init", a, "--channels", "16", "--out", Path.Combine(dir, "x.vqp")]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--channels goes without --init", error);
        var unigram = Path.Combine(dir, "u.vqp");
        (code, _, error) = await f.Run([.. prior, "--arch", "unigram", "--out", unigram]);
        Assert.True(code == ExitCodes.Ok, error);
        (code, _, error) = await f.Run([.. prior, "--init", unigram, "--out", Path.Combine(dir, "y.vqp")]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("has no weights to train on", error);

        var other = Path.Combine(dir, "other.vqm");
        (code, _, error) = await f.Run(["train", "vqvae", "--data", Data("train-200.tar"), "--limit", "16", "--max-steps", "1", "--warmup", "1",
            "--hidden", "16", "--residual-channels", "8", "--latent-dim", "8", "--codebook-size", "64", "--batch", "16", "--threads", "1",
            "--level-dims", "4", "--level-codebook-size", "8", "--out", other]);
        Assert.True(code == ExitCodes.Ok, error);
        // Checked before any data is read: the data named here does not exist.
        var missing = Path.Combine(dir, "no-such-data.tar");
        (code, _, error) = await f.Run(["train", "prior", "--vqvae", other, "--data", missing, "--init", a, "--max-steps", "1", "--out", Path.Combine(dir, "z.vqp")]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("its alphabet has 32 codes, the VQ-VAE's codebook 64", error);
        (code, _, error) = await f.Run(["train", "level-prior", "--vqvae", other, "--data", missing, "--crop", "16", "--init", c, "--max-steps", "1", "--out", Path.Combine(dir, "z.vql")]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"--init {c}: level 2: the prior has K = 16, the VQ-VAE K = 8", error);
        Assert.False(File.Exists(Path.Combine(dir, "z.vql")));
    }
}
