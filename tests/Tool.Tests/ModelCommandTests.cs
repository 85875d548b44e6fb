using static VqVae.Codec.Tool.Tests.TinyTraining;

namespace VqVae.Codec.Tool.Tests;

/// <summary>The training, evaluation and sampling commands end to end, with tiny settings and committed images.</summary>
[Collection("codec")]
public sealed class ModelCommandTests(CodecFixture f)
{
    [Fact]
    public async Task Train_evaluate_and_sample_through_the_command_line()
    {
        var dir = f.NewDir("model-commands");
        var vqvae = Path.Combine(dir, "m.vqm");
        var (code, output, error) = await f.Run(["train", "vqvae", "--data", Data("train-200.tar"), "--limit", "64", "--max-steps", "4", "--warmup", "2", "--out", vqvae, .. Tiny]);
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains("wrote", output);
        Assert.True(File.Exists(vqvae + ".log.jsonl"));

        (code, output, error) = await f.Run("eval", "vqvae", "--model", vqvae, "--data", Data("test-100.tar"), "--limit", "20", "--json", Path.Combine(dir, "e.json"));
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains("normalised reconstruction error", output);
        Assert.Contains("\"psnr\"", File.ReadAllText(Path.Combine(dir, "e.json")));

        foreach (var arch in new[] { "unigram", "gated-pixelcnn" })
        {
            (code, _, error) = await f.Run("train", "prior", "--vqvae", vqvae, "--data", Data("train-200.tar"), "--limit", "64", "--arch", arch,
                "--channels", "8", "--layers", "1", "--head-channels", "16", "--batch", "16", "--max-steps", "3", "--threads", "1", "--out", Path.Combine(dir, arch + ".vqp"));
            Assert.True(code == ExitCodes.Ok, error);
        }

        (code, output, error) = await f.Run("eval", "prior", "--vqvae", vqvae, "--data", Data("test-100.tar"), "--limit", "20",
            "--prior", Path.Combine(dir, "unigram.vqp"), Path.Combine(dir, "gated-pixelcnn.vqp"), "--json", Path.Combine(dir, "p.json"));
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains("coded", output);
        Assert.Contains("codedBitsPerCode", File.ReadAllText(Path.Combine(dir, "p.json")));

        var samples = Path.Combine(dir, "s.png");
        (code, _, error) = await f.Run("sample", "--vqvae", vqvae, "--prior", Path.Combine(dir, "gated-pixelcnn.vqp"), "--count", "4", "--out", samples);
        Assert.True(code == ExitCodes.Ok, error);
        var sheet = Models.Data.ImageCodecs.Decode(File.ReadAllBytes(samples), samples);
        Assert.Equal(2 * 32 + 3 * 2, sheet.Width);   // 2 x 2 samples of 32 pixels with 2-pixel gaps
    }

    [Fact]
    public async Task Code_levels_through_the_command_line()
    {
        var dir = f.NewDir("level-commands");
        var leveled = Path.Combine(dir, "levels.vqm");
        var (code, _, error) = await f.Run(["train", "vqvae", "--data", Data("train-200.tar"), "--limit", "32", "--max-steps", "2", "--warmup", "1",
            "--level-dims", "4,2", "--level-codebook-size", "16", "--out", leveled, .. Tiny]);
        Assert.True(code == ExitCodes.Ok, error);

        var json = Path.Combine(dir, "levels.json");
        (code, var output, error) = await f.Run("eval", "vqvae", "--model", leveled, "--data", Data("test-100.tar"), "--limit", "8", "--levels", "--unquantized", "--json", json);
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains("3 level(s)", output);
        var rows = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(json))!["levels"]!.AsArray();
        Assert.Equal([0, 1, 2, 3], rows.Select(r => (int)r!["levels"]!));                       // the unquantized row, then 1..3 levels
        Assert.All(rows.Skip(1), r => Assert.InRange((double)r!["levelUnigramBits"]!, 0.0, 5.0));   // level 1: K = 32; levels 2, 3: K = 16

        var fitted = Path.Combine(dir, "fitted.vqm");
        (code, output, error) = await f.Run("train", "levels", "--vqvae", leveled, "--data", Data("train-200.tar"), "--limit", "16", "--levels", "1",
            "--level-dim", "2", "--codebook-size", "8", "--samples", "256", "--iterations", "2", "--crop", "32", "--threads", "1", "--out", fitted);
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains("4 levels", output);

        // --init with wider or more residual blocks grows the network (its levels kept); never narrower.
        var grown = Path.Combine(dir, "grown.vqm");
        (code, _, error) = await f.Run("train", "vqvae", "--init", leveled, "--residual-channels", "16", "--residual-blocks", "3", "--data", Data("train-200.tar"),
            "--limit", "16", "--max-steps", "1", "--warmup", "1", "--batch", "16", "--threads", "1", "--first-level-share", "0.3", "--out", grown);
        Assert.True(code == ExitCodes.Ok, error);
        using (var model = Models.Files.VqVaeModel.Load(grown))
        {
            Assert.Equal(16, model.Network.Architecture.ResidualChannels);
            Assert.Equal(3, model.Network.Architecture.ResidualBlocks);
            Assert.Equal(3, model.Network.LevelCount);
        }

        // Two training steps from the levels model with `options`; a run that must be refused names what is wrong.
        Task<(int Code, string Output, string Error)> FromLevels(string name, params string[] options) =>
            f.Run(["train", "vqvae", "--init", leveled, .. options, "--data", Data("train-200.tar"), "--limit", "16", "--max-steps", "2", "--warmup", "1",
                "--batch", "8", "--threads", "1", "--out", Path.Combine(dir, name)]);
        async Task Refused(string expected, params string[] options)
        {
            var (refusedCode, _, refusedError) = await FromLevels("refused.vqm", options);
            Assert.Equal(ExitCodes.Usage, refusedCode);
            Assert.Contains(expected, refusedError);
        }

        // --level-rate-lambda: the further levels (not level 1) assign under the rate constraint, saved with the model.
        (code, _, error) = await FromLevels("constrained.vqm", "--level-rate-lambda", "0.3", "--dead-code-steps", "0");
        Assert.True(code == ExitCodes.Ok, error);
        using (var model = Models.Files.VqVaeModel.Load(Path.Combine(dir, "constrained.vqm")))
        {
            Assert.Null(model.Network.Quantizer.Rate);
            Assert.All(model.Network.FurtherLevels, l => Assert.Equal(0.3, l.Quantizer.Rate!.RateLambda));
            Assert.All(model.Network.FurtherLevels, l => Assert.True(l.Quantizer.Rate!.MeanDistance.item<float>() > 0, "trained statistics"));
        }
        (code, _, error) = await FromLevels("per-level.vqm", "--level-rate-lambda", "0,0.4");
        Assert.True(code == ExitCodes.Ok, error);
        using (var model = Models.Files.VqVaeModel.Load(Path.Combine(dir, "per-level.vqm")))
        {
            Assert.Null(model.Network.FurtherLevels[0].Quantizer.Rate);                              // level 2: 0, the nearest prototype
            Assert.Equal(0.4, model.Network.FurtherLevels[1].Quantizer.Rate!.RateLambda);             // level 3
        }
        await Refused("rate weight", "--level-rate-lambda", "-1");
        await Refused("3 rate weights for 2 levels", "--level-rate-lambda", "0.1,0.2,0.3");
        await Refused("--level-rate-lambda takes comma-separated weights", "--level-rate-lambda", "0.1,x");
        (code, _, error) = await f.Run(["train", "vqvae", "--level-rate-lambda", "0.3", "--data", Data("train-200.tar"), "--limit", "16", "--max-steps", "1",
            "--out", Path.Combine(dir, "no-levels.vqm"), .. Tiny]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("needs such levels", error);
        await Refused("grows only", "--residual-channels", "4");
        await Refused("--first-level-share", "--first-level-share", "1.5");
        Assert.False(File.Exists(Path.Combine(dir, "refused.vqm")));

        (code, _, error) = await f.Run(["train", "vqvae", "--data", Data("train-200.tar"), "--limit", "16", "--max-steps", "1",
            "--level-dims", "4,x", "--out", Path.Combine(dir, "bad.vqm"), .. Tiny]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--level-dims", error);
    }

    [Fact]
    public async Task Training_refuses_to_overwrite_without_force_or_resume()
    {
        var dir = f.NewDir("train-force");
        var model = Path.Combine(dir, "m.vqm");
        File.WriteAllText(model, "keep me");
        var (code, _, error) = await f.Run("train", "vqvae", "--data", Data("train-200.tar"), "--limit", "16", "--max-steps", "1", "--out", model);
        Assert.Equal(ExitCodes.OutputError, code);
        Assert.Contains("--force", error);
        Assert.Equal("keep me", File.ReadAllText(model));
        (code, _, error) = await f.Run("train", "vqvae", "--data", Data("train-200.tar"), "--resume", "--out", Path.Combine(dir, "none.vqm"));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("no checkpoint", error);
    }

    [Fact]
    public async Task Plateau_without_eval_data_is_a_usage_error_that_writes_nothing()
    {
        var dir = f.NewDir("plateau-usage");
        var model = Path.Combine(dir, "m.vqm");
        var (code, _, error) = await f.Run("train", "vqvae", "--data", Data("train-200.tar"), "--limit", "16", "--plateau", "0.01", "--out", model);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--eval-data", error);
        Assert.Empty(Directory.GetFiles(dir));
        (code, _, error) = await f.Run("train", "vqvae", "--data", Data("train-200.tar"), "--limit", "16", "--eval-data", Data("test-100.tar"),
            "--plateau", "2", "--out", model);
        Assert.NotEqual(ExitCodes.Ok, code);
        Assert.Contains("--plateau", error);
    }

    [Fact]
    public async Task Train_vqvae_stops_at_the_plateau_and_says_so()
    {
        var dir = f.NewDir("plateau-cli");
        var model = Path.Combine(dir, "m.vqm");
        // 32 images in batches of 16: 2 steps per epoch. A fraction of 0.99 stops at the first epoch allowed to, the second.
        var (code, output, error) = await f.Run(["train", "vqvae", "--data", Data("train-200.tar"), "--limit", "32", "--eval-data", Data("test-100.tar"),
            "--eval-limit", "10", "--plateau", "0.99", "--min-epochs", "2", "--epochs", "9", "--warmup", "0", "--no-init-from-encoder", "--dead-code-steps", "0",
            "--out", model, .. Tiny]);
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains("after 4 steps", output);
        Assert.Contains("stopped after epoch 2", output);
        var stop = File.ReadLines(model + ".log.jsonl").Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!).Single(n => (string?)n["type"] == "stop");
        Assert.Equal("plateau", (string?)stop["reason"]);
    }

    [Fact]
    public async Task Train_export_writes_the_model_of_a_checkpoint_as_the_run_would()
    {
        var dir = f.NewDir("train-export");
        var model = Path.Combine(dir, "m.vqm");
        var (code, _, error) = await f.Run(["train", "vqvae", "--data", Data("train-200.tar"), "--limit", "32", "--max-steps", "2", "--warmup", "1", "--out", model, .. Tiny]);
        Assert.True(code == ExitCodes.Ok, error);

        var exported = Path.Combine(dir, "exported.vqm");
        (code, var output, error) = await f.Run("train", "export", model + ".ckpt", "-o", exported);
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains("at step 2", output);
        Assert.Equal(File.ReadAllBytes(model), File.ReadAllBytes(exported));   // the checkpoint of the last step holds the run's model file

        File.WriteAllText(exported, "keep me");
        (code, _, error) = await f.Run("train", "export", model + ".ckpt", "-o", exported);
        Assert.Equal(ExitCodes.OutputError, code);
        Assert.Contains("--force", error);
        Assert.Equal("keep me", File.ReadAllText(exported));

        (code, _, error) = await f.Run("train", "export", model, "-o", Path.Combine(dir, "x.vqm"));
        Assert.Equal(ExitCodes.MissingModel, code);
        Assert.Contains("not a vqz training checkpoint", error);
        Assert.False(File.Exists(Path.Combine(dir, "x.vqm")));

        (code, _, error) = await f.Run("train", "export", model + ".ckpt", "-o", model + ".ckpt", "--force");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("is the checkpoint itself", error);
    }
}
