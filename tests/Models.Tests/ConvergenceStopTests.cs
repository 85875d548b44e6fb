using System.Text.Json.Nodes;
using VqVae.Codec.Models.Quantizers;
using VqVae.Codec.Models.Training;

namespace VqVae.Codec.Models.Tests;

/// <summary>The plateau stop (issue 15): the rule itself, the log it leaves, and that it survives --resume.</summary>
public sealed class ConvergenceStopTests
{
    // 64 training images in batches of 16: 4 steps per epoch; 20 held-out images evaluated after each epoch.
    private static VqVaeTrainingSetup Setup(string outPath, double plateau, int minEpochs, int? maxSteps = null, bool resume = false,
        QuantizerOptions? quantizer = null) =>
        new(TrainingTests.Tiny, quantizer ?? new QuantizerOptions(), new TrainOptions
            {
                Epochs = 50, BatchSize = 16, MaxSteps = maxSteps, Seed = 11, Threads = 1, CheckpointEvery = 1000, LogEvery = 1,
                Plateau = plateau, MinEpochs = minEpochs,
            }.Validate(),
            TestData.CifarTrain(64), outPath, resume, new JsonObject { ["command"] = "test" }) { EvalData = TestData.CifarTest(20) };

    private static List<JsonNode> Log(string modelPath, string type) =>
        File.ReadAllLines(modelPath + ".log.jsonl").Select(l => JsonNode.Parse(l)!).Where(n => (string?)n["type"] == type).ToList();

    [Theory]
    [InlineData(0.100, 0.0995, 10, true)]    // 0.5 % better: less than 1 %, stop
    [InlineData(0.100, 0.0980, 10, false)]   // 2 % better: go on
    [InlineData(0.100, 0.1050, 10, true)]    // worse: stop
    [InlineData(0.100, 0.0995, 9, false)]    // fewer than --min-epochs done
    public void The_rule_stops_when_the_error_fell_by_less_than_the_fraction_after_min_epochs(double previous, double current, int epochsDone, bool stops)
    {
        var options = new TrainOptions { Plateau = 0.01, MinEpochs = 10 };
        Assert.Equal(stops, ConvergenceStop.ShouldStop(options, epochsDone, previous, current));
        Assert.False(ConvergenceStop.ShouldStop(options, epochsDone, null, current));            // nothing to compare with
        Assert.False(ConvergenceStop.ShouldStop(new TrainOptions(), epochsDone, previous, current)); // rule off
    }

    [Fact]
    public void Plateau_without_held_out_data_is_refused()
    {
        using var dir = TestData.TempDir();
        var setup = Setup(dir.File("x.vqm"), 0.01, 2) with { EvalData = null };
        var e = Assert.Throws<InvalidOptionsException>(() => VqVaeTrainer.Run(setup, null, CancellationToken.None));
        Assert.Contains("--eval-data", e.Message);
        Assert.Throws<InvalidOptionsException>(() => new TrainOptions { Plateau = 1.5 }.Validate());
    }

    [Fact]
    public void A_run_stops_at_the_plateau_and_logs_each_epochs_error_improvement_and_the_reason()
    {
        using var dir = TestData.TempDir();
        var path = dir.File("plateau.vqm");
        // A fraction of 0.99 stops at the first epoch allowed to (no epoch improves the error by 99 %): after epoch 3.
        var result = VqVaeTrainer.Run(Setup(path, 0.99, minEpochs: 3), null, CancellationToken.None);
        Assert.Equal(3, result.Epochs);
        Assert.Equal(12, result.Steps);
        Assert.Equal(ConvergenceStop.PlateauReason, result.StopReason);
        var evals = Log(path, "eval");
        Assert.Equal([1, 2, 3], evals.Select(e => (int)e["epoch"]!));
        Assert.Null(evals[0]["improvement"]);
        for (int i = 1; i < 3; i++)
        {
            double before = (double)evals[i - 1]["nrecon"]!, now = (double)evals[i]["nrecon"]!;
            Assert.Equal((before - now) / before, (double)evals[i]["improvement"]!, 12);
        }
        var stop = Assert.Single(Log(path, "stop"));
        Assert.Equal("plateau", (string?)stop["reason"]);
        Assert.Equal(3, (int)stop["epoch"]!);
        Assert.Equal((double)evals[2]["nrecon"]!, (double)stop["nrecon"]!);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_previous_epochs_error_survives_resume_from_the_checkpoint_or_else_the_log(bool checkpointWithoutError)
    {
        using var dir = TestData.TempDir();
        var path = dir.File("resumed.vqm");
        // Epoch 1, then the process ends (--max-steps 4): the rule has one error to compare with.
        var first = VqVaeTrainer.Run(Setup(path, 0.99, minEpochs: 2, maxSteps: 4), null, CancellationToken.None);
        Assert.Equal("max-steps", first.StopReason);
        var checkpointPath = Checkpoint.PathFor(path);
        var checkpoint = Checkpoint.Load(checkpointPath);
        Assert.Equal((double)Log(path, "eval")[0]["nrecon"]!, checkpoint.HeldOutError);
        if (checkpointWithoutError)
        {
            // A checkpoint from before the rule: the error after epoch 1 must come from the log.
            var state = (JsonObject)checkpoint.State.DeepClone();
            state.Remove("heldOutError");
            (checkpoint with { State = state }).Save(checkpointPath);
            Assert.Null(Checkpoint.Load(checkpointPath).HeldOutError);
        }
        // Resumed, epoch 2 compares with epoch 1 and stops; had the error been lost it would run epoch 3 as well.
        var second = VqVaeTrainer.Run(Setup(path, 0.99, minEpochs: 2, resume: true), null, CancellationToken.None);
        Assert.Equal(2, second.Epochs);
        Assert.Equal(8, second.Steps);
        Assert.Equal(ConvergenceStop.PlateauReason, second.StopReason);
        Assert.Equal(["max-steps", "plateau"], Log(path, "stop").Select(s => (string)s["reason"]!));

        // Resuming a run the rule stopped trains no further.
        var third = VqVaeTrainer.Run(Setup(path, 0.99, minEpochs: 2, resume: true), null, CancellationToken.None);
        Assert.Equal(8, third.Steps);
        Assert.Equal(ConvergenceStop.PlateauReason, third.StopReason);
    }

    [Fact]
    public void Every_log_line_records_the_codes_of_the_batch_the_codes_used_in_the_window_and_the_dead_codes()
    {
        using var dir = TestData.TempDir();
        var path = dir.File("codes.vqm");
        // The thesis's setting: random codebook, no restarts; K = 32.
        var quantizer = new QuantizerOptions { Kind = QuantizerKind.KMeans, InitFromEncoder = false, DeadCodeSteps = 0 };
        VqVaeTrainer.Run(Setup(path, 0.99, minEpochs: 3, quantizer: quantizer), null, CancellationToken.None);
        var steps = Log(path, "step");
        Assert.Equal(12, steps.Count);
        for (int i = 0; i < steps.Count; i++)
        {
            int batch = (int)(double)steps[i]["batchCodes"]!, active = (int)(double)steps[i]["activeCodes"]!, dead = (int)(double)steps[i]["deadCodes"]!;
            Assert.InRange(batch, 1, 32);
            Assert.Equal(batch, active);                          // the window is --log-every = 1 step, and nothing restarts
            // Dead = unused for a whole epoch (4 steps): none before step 4, and never one a batch of the last 4 steps used.
            if (i < 3) Assert.Equal(0, dead);
            int usedInWindow = steps.Skip(Math.Max(0, i - 3)).Take(Math.Min(4, i + 1)).Max(s => (int)(double)s["batchCodes"]!);
            Assert.InRange(dead, 0, 32 - usedInWindow);
            Assert.True(batch >= (double)steps[i]["perplexity"]! - 1e-9, "perplexity is at most the number of codes used");
        }
    }

    [Fact]
    public void The_log_reader_skips_blank_lines_and_a_line_cut_short_and_FromLog_takes_the_epochs_last_eval()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("vqz-log-").FullName, "run.vqm.log.jsonl");
        File.WriteAllText(path,
            """{"type":"eval","epoch":3,"nrecon":0.20}""" + "\n\n" +
            """{"type":"step","epoch":3,"step":10}""" + "\n" +
            """{"type":"eval","epoch":3,"nrecon":0.18}""" + "\n" +
            """{"type":"eval","epoch":4,"nrec""");                              // killed mid-line
        Assert.Equal(3, TrainingLog.Read(path).Count());
        Assert.Equal(0.18, ConvergenceStop.FromLog(path, 3, "nrecon"));
        Assert.Null(ConvergenceStop.FromLog(path, 4, "nrecon"));
        Assert.Empty(TrainingLog.Read(path + ".missing"));
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }
}
