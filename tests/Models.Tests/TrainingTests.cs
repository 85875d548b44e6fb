using System.Text.Json.Nodes;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Models.Networks;
using VqVae.Codec.Models.Quantizers;
using VqVae.Codec.Models.Training;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Tests;

/// <summary>Training with tiny networks on committed images: loss falls, runs repeat, resume is exact.</summary>
public sealed class TrainingTests
{
    internal static readonly VqVaeArchitecture Tiny = new()
    {
        HiddenChannels = 16, ResidualChannels = 8, ResidualBlocks = 1, LatentDim = 8, CodebookSize = 32,
    };

    private static VqVaeTrainingSetup Setup(string outPath, QuantizerOptions? quantizer = null, int steps = 6, bool resume = false) =>
        new(Tiny, quantizer ?? new QuantizerOptions(), new TrainOptions
            {
                Epochs = 50, BatchSize = 16, MaxSteps = steps, Seed = 11, Threads = 1, CheckpointEvery = 1000, LogEvery = 1,
            },
            TestData.CifarTrain(64), outPath, resume, new JsonObject { ["command"] = "test" });

    private static List<double> LoggedLosses(string modelPath) =>
        File.ReadAllLines(modelPath + ".log.jsonl").Select(l => JsonNode.Parse(l)!)
            .Where(n => (string?)n["type"] == "step").Select(n => (double)n["recon"]!).ToList();

    [Fact]
    public void Smoke_training_on_cifar_images_lowers_the_reconstruction_loss()
    {
        using var dir = TestData.TempDir();
        var path = dir.File("smoke.vqm");
        var setup = Setup(path, steps: 150) with
        {
            Architecture = new VqVaeArchitecture { HiddenChannels = 64, ResidualChannels = 16, LatentDim = 16, CodebookSize = 64 },
            Data = TestData.CifarTrain(),
        };
        var result = VqVaeTrainer.Run(setup, null, CancellationToken.None);
        var losses = LoggedLosses(path);
        Assert.Equal(150, result.Steps);
        Console.WriteLine($"smoke training: first 5 steps {losses.Take(5).Average():F3}, last 10 steps {losses.TakeLast(10).Average():F3}");
        Assert.True(losses.TakeLast(10).Average() < 0.8 * losses.Take(5).Average(),
            $"loss did not fall: first {losses.Take(5).Average():F3}, last {losses.TakeLast(10).Average():F3}");
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
    }

    [Fact]
    public void Same_seed_same_data_same_threads_gives_the_same_model()
    {
        using var dir = TestData.TempDir();
        VqVaeTrainer.Run(Setup(dir.File("a.vqm")), null, CancellationToken.None);
        VqVaeTrainer.Run(Setup(dir.File("b.vqm")), null, CancellationToken.None);
        Assert.Equal(Weights(dir.File("a.vqm")), Weights(dir.File("b.vqm")));
    }

    [Fact]
    public void A_run_resumed_from_its_checkpoint_equals_an_uninterrupted_run()
    {
        using var dir = TestData.TempDir();
        var straight = dir.File("straight.vqm");
        var split = dir.File("split.vqm");
        var options = new QuantizerOptions { Kind = QuantizerKind.NeuralGas, StochasticSamples = 2, DeadCodeSteps = 2 };
        VqVaeTrainer.Run(Setup(straight, options, steps: 6), null, CancellationToken.None);
        VqVaeTrainer.Run(Setup(split, options, steps: 3), null, CancellationToken.None);
        VqVaeTrainer.Run(Setup(split, options, steps: 6, resume: true), null, CancellationToken.None);
        Assert.Equal(Weights(straight), Weights(split));
    }

    [Fact]
    public void Cancellation_writes_a_checkpoint_that_resumes()
    {
        using var dir = TestData.TempDir();
        var path = dir.File("cancelled.vqm");
        using var cancel = new CancellationTokenSource();
        var progress = new Progress(p => { if (p.Step == 2) cancel.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => VqVaeTrainer.Run(Setup(path), progress, cancel.Token));
        Assert.True(File.Exists(Checkpoint.PathFor(path)));
        Assert.False(File.Exists(path));
        Assert.Equal(2, Checkpoint.Load(Checkpoint.PathFor(path)).Step);
        var result = VqVaeTrainer.Run(Setup(path, resume: true), null, CancellationToken.None);
        Assert.Equal(6, result.Steps);
    }

    [Fact]
    public void Every_quantizer_and_the_stochastic_variant_train_without_nan()
    {
        using var dir = TestData.TempDir();
        foreach (var kind in Enum.GetValues<QuantizerKind>())
            foreach (int m in new[] { 0, 2 })
            {
                var path = dir.File($"{kind}-{m}.vqm");
                VqVaeTrainer.Run(Setup(path, new QuantizerOptions { Kind = kind, StochasticSamples = m, DeadCodeSteps = 3 }, steps: 8),
                    null, CancellationToken.None);
                Assert.All(LoggedLosses(path), l => Assert.True(double.IsFinite(l), $"{kind} M={m}: {l}"));
            }
    }

    [Fact]
    public void Neural_gas_lambda_follows_its_schedule_through_training()
    {
        using var dir = TestData.TempDir();
        var path = dir.File("lambda.vqm");
        VqVaeTrainer.Run(Setup(path, new QuantizerOptions { Kind = QuantizerKind.NeuralGas, LambdaStart = 10, LambdaEnd = 0.1 }, steps: 4),
            null, CancellationToken.None);
        var lambdas = File.ReadAllLines(path + ".log.jsonl").Select(l => JsonNode.Parse(l)!)
            .Where(n => (string?)n["type"] == "step").Select(n => (double)n["lambda"]!).ToList();
        // 4 steps in all; step s (1-based) trains at t = (s - 1) / 4 and lambda(t) = 10 (0.1 / 10)^t = 10^(1 - 2t):
        // 10, 10^0.5, 1 (mid-training), 10^-0.5.
        var expected = new[] { 10, Math.Sqrt(10), 1, 1 / Math.Sqrt(10) };
        Assert.Equal(4, lambdas.Count);
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], lambdas[i], 9);
    }

    [Fact]
    public void Held_out_evaluation_after_each_epoch_is_logged_with_finite_figures()
    {
        using var dir = TestData.TempDir();
        var path = dir.File("evaluated.vqm");
        var setup = Setup(path, steps: 8) with { EvalData = TestData.CifarTest(20) };   // 64 images / batch 16 = 4 steps per epoch
        var result = VqVaeTrainer.Run(setup, null, CancellationToken.None);
        Assert.NotNull(result.LastEvaluation);
        var evals = File.ReadAllLines(path + ".log.jsonl").Select(l => JsonNode.Parse(l)!).Where(n => (string?)n["type"] == "eval").ToList();
        Assert.Equal(2, evals.Count);
        foreach (var key in new[] { "mse", "nrecon", "psnr", "perplexity", "codesUsed" })
            Assert.True(double.IsFinite((double)evals[^1][key]!), key);
        Assert.InRange(result.LastEvaluation!["psnr"], 5, 60);
    }

    [Fact]
    public void Fine_tuning_starts_from_the_weights_and_codebook_of_the_given_model()
    {
        using var dir = TestData.TempDir();
        var first = dir.File("first.vqm");
        VqVaeTrainer.Run(Setup(first, steps: 4), null, CancellationToken.None);
        var tuned = dir.File("tuned.vqm");
        var setup = Setup(tuned, steps: 0) with { InitFrom = first, Architecture = new VqVaeArchitecture() };   // architecture comes from the file
        VqVaeTrainer.Run(setup, null, CancellationToken.None);
        Assert.Equal(Weights(first), Weights(tuned));
    }

    [Fact]
    public void Save_and_load_give_identical_outputs()
    {
        using var dir = TestData.TempDir();
        using var scope = NewDisposeScope();
        random.manual_seed(1);
        var network = new VqVaeNetwork(Tiny, new QuantizerOptions { Kind = QuantizerKind.Ema });
        network.eval();
        var path = dir.File("m.vqm");
        var digest = VqVaeModel.Save(network, "tiny", new JsonObject { ["dataVariance"] = 0.06 }, path);
        using var loaded = VqVaeModel.Load(path);
        Assert.Equal(digest, loaded.Digest);
        Assert.Equal("tiny", loaded.Name);
        Assert.Equal(Tiny, loaded.Network.Architecture);
        var x = rand(2, 3, 16, 16) - 0.5;
        var codes = network.EncodeToCodes(x);
        Assert.True(codes.eq(loaded.Network.EncodeToCodes(x)).all().item<bool>());
        Assert.True(network.DecodeCodes(codes).eq(loaded.Network.DecodeCodes(codes)).all().item<bool>());
        Assert.Equal(File.ReadAllBytes(path), VqVaeModel.ToFile(loaded.Network, "tiny", new JsonObject { ["dataVariance"] = 0.06 }).ToBytes());
    }

    [Fact]
    public void A_corrupted_model_file_is_rejected_with_its_offset()
    {
        using var dir = TestData.TempDir();
        var path = dir.File("m.vqm");
        VqVaeModel.Save(new VqVaeNetwork(Tiny, new QuantizerOptions()), "tiny", new JsonObject(), path);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ModelFileException>(() => VqVaeModel.Load(path));
        Assert.Contains("SHA-256", e.Message);
        File.WriteAllBytes(path, bytes[..100]);
        Assert.Throws<ModelFileException>(() => VqVaeModel.Load(path));
    }

    private static List<byte[]> Weights(string path) => ModelFile.Read(path).Tensors.Select(t => t.Data).ToList();

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
