using System.Diagnostics;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Training;

/// <summary>
/// What a stage contributes to the shared training loop: its batches, one optimisation step, its model
/// file, and an optional evaluation after each epoch.
/// </summary>
public interface ITrainingStage<TBatch> where TBatch : IDisposable
{
    /// <summary>The module whose parameters are trained.</summary>
    nn.Module Module { get; }

    /// <summary>Full batches per epoch.</summary>
    int BatchesPerEpoch { get; }

    /// <summary>Batches of <paramref name="epoch"/> from batch <paramref name="first"/> on (deterministic in the epoch).</summary>
    IEnumerable<TBatch> Batches(int epoch, int first);

    /// <summary>Images (or grids) in a batch, for throughput.</summary>
    int Count(TBatch batch);

    /// <summary>Forward and backward pass for a batch at progress t in [0, 1]: the loss (graph attached) and named terms.</summary>
    (Tensor Loss, Dictionary<string, double> Terms) Forward(TBatch batch, double progress);

    /// <summary>Work after the optimiser step (codebook maintenance); adds figures to <paramref name="terms"/>.</summary>
    void AfterStep(Dictionary<string, double> terms);

    /// <summary>The model file bytes for the current weights, with <paramref name="record"/> as its training record.</summary>
    byte[] ModelFile(JsonObject record);

    /// <summary>Figures on held-out data after an epoch, or null.</summary>
    Dictionary<string, double>? Evaluate(CancellationToken cancel);

    /// <summary>The figure of <see cref="Evaluate"/> that <see cref="TrainOptions.Plateau"/> watches (lower is better); null: none.</summary>
    string? ConvergenceMetric => null;
}

/// <summary>
/// The training loop shared by both stages: Adam with linear warm-up, JSON-lines log, progress reports,
/// checkpoints every N steps, at each epoch end and on cancellation, and exact resume (weights, optimiser
/// state, RNG state and the position in the epoch).
/// </summary>
public static class TrainingLoop
{
    /// <summary>Runs or resumes training; writes the model file to <paramref name="outPath"/> and returns its digest.</summary>
    public static TrainingResult Run<TBatch>(
        ITrainingStage<TBatch> stage, TrainOptions options, string outPath, Checkpoint? resumed, JsonObject record,
        IProgress<TrainingProgress>? progress, CancellationToken cancel) where TBatch : IDisposable
    {
        var optimizer = optim.Adam(stage.Module.parameters(), options.LearningRate);
        if (resumed is not null)
        {
            optimizer.load_state_dict(new BinaryReader(new MemoryStream(resumed.Optimizer)));
            using var rng = tensor(resumed.Rng, ScalarType.Byte);
            random.set_rng_state(rng);
        }
        long totalSteps = (long)options.Epochs * stage.BatchesPerEpoch;
        if (options.MaxSteps is int max) totalSteps = Math.Min(totalSteps, max);
        long step = resumed?.Step ?? 0;
        int epoch = resumed?.Epoch ?? 0, batch = resumed?.Batch ?? 0;
        string checkpointPath = Checkpoint.PathFor(outPath);
        string logPath = outPath + ".log.jsonl";
        string? metric = stage.ConvergenceMetric;
        if (options.Plateau is not null && metric is null)
            throw new InvalidOptionsException("--plateau needs held-out data to watch (--eval-data)");
        // The error after the last finished epoch, which the next epoch's must improve on: from the checkpoint,
        // else (a checkpoint written before it carried one) from the log.
        double? previousError = resumed?.HeldOutError
                                ?? (resumed is not null && metric is not null && epoch > 0 ? ConvergenceStop.FromLog(logPath, epoch, metric) : null);
        // A run the plateau rule stopped stays stopped when resumed with the rule (not one that ran out of epochs or steps).
        string? stopReason = options.Plateau is not null && resumed?.StopReason == ConvergenceStop.PlateauReason ? ConvergenceStop.PlateauReason : null;

        using var log = new TrainingLog(logPath);
        var clock = Stopwatch.StartNew();
        long stepsThisSession = 0, itemsThisSession = 0;
        Dictionary<string, double>? lastEvaluation = null;

        JsonObject Record()
        {
            var r = (JsonObject)record.DeepClone();
            r["options"] = System.Text.Json.JsonSerializer.SerializeToNode(options, Files.VqVaeModel.Json);
            r["steps"] = step;
            r["epochsCompleted"] = epoch;
            return r;
        }

        void SaveCheckpoint(string path)
        {
            var model = stage.ModelFile(Record());
            using var optimizerState = new MemoryStream();
            using (var writer = new BinaryWriter(optimizerState, System.Text.Encoding.UTF8, leaveOpen: true))
                optimizer.save_state_dict(writer);
            using var rng = random.get_rng_state();
            var state = new JsonObject { ["epoch"] = epoch, ["batch"] = batch, ["step"] = step };
            if (previousError is double e) state["heldOutError"] = e;
            if (stopReason == ConvergenceStop.PlateauReason) state["stopped"] = stopReason;
            new Checkpoint(state, model, optimizerState.ToArray(), rng.bytes.ToArray()).Save(path);
        }

        stage.Module.train();
        while (stopReason is null && epoch < options.Epochs && step < totalSteps)
        {
            foreach (var item in stage.Batches(epoch, batch))
            {
                using var disposeItem = item;
                if (cancel.IsCancellationRequested)
                {
                    SaveCheckpoint(checkpointPath);
                    cancel.ThrowIfCancellationRequested();
                }
                using var scope = NewDisposeScope();
                double t = (double)step / Math.Max(1, totalSteps);
                var (loss, terms) = stage.Forward(item, t);
                foreach (var group in optimizer.ParamGroups) group.LearningRate = options.LearningRateAt(step);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                terms["loss"] = loss.item<float>();
                stage.AfterStep(terms);
                if (!double.IsFinite(terms["loss"]))
                    throw new InvalidOperationException($"the loss became {terms["loss"]} at step {step + 1}; the last checkpoint is {checkpointPath}");

                step++; batch++; stepsThisSession++; itemsThisSession += stage.Count(item);
                terms["imagesPerSecond"] = itemsThisSession / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
                if (step % options.LogEvery == 0 || step == totalSteps) log.Write("step", terms, step, epoch + 1);
                progress?.Report(new TrainingProgress(step, totalSteps, epoch + 1, options.Epochs, terms, terms["imagesPerSecond"], clock.Elapsed)
                    { StepsThisSession = stepsThisSession });
                if (step % options.CheckpointEvery == 0) SaveCheckpoint(checkpointPath);
                if (step >= totalSteps) break;
            }
            if (batch >= stage.BatchesPerEpoch)
            {
                epoch++;
                batch = 0;
                // Evaluated before the checkpoint, so that the checkpoint carries this epoch's error for the plateau rule.
                lastEvaluation = stage.Evaluate(cancel);
                stage.Module.train();
                if (lastEvaluation is not null)
                {
                    var figures = new Dictionary<string, double>(lastEvaluation);
                    if (metric is not null && lastEvaluation.TryGetValue(metric, out var error))
                    {
                        if (previousError is double before) figures["improvement"] = ConvergenceStop.Improvement(before, error);
                        if (ConvergenceStop.ShouldStop(options, epoch, previousError, error)) stopReason = ConvergenceStop.PlateauReason;
                        previousError = error;
                    }
                    log.Write("eval", figures, step, epoch);
                }
                SaveCheckpoint(checkpointPath);
                if (options.KeepEpochCheckpoints) File.Copy(checkpointPath, $"{outPath}.epoch{epoch:D3}.ckpt", overwrite: true);
            }
        }
        stopReason ??= epoch >= options.Epochs ? "epochs" : "max-steps";
        LogStop();
        SaveCheckpoint(checkpointPath);
        var bytes = stage.ModelFile(Record());
        Files.AtomicFile.Write(outPath, bytes);
        return new TrainingResult(outPath, Files.ModelFile.DigestOf(bytes), step, epoch, clock.Elapsed, lastEvaluation) { StopReason = stopReason };

        // Why training ended: "plateau" (with the rule's figures), "epochs" (--epochs done) or "max-steps".
        void LogStop()
        {
            var line = new JsonObject
            {
                ["type"] = "stop", ["time"] = DateTime.UtcNow.ToString("O"), ["step"] = step, ["epoch"] = epoch, ["reason"] = stopReason,
            };
            if (options.Plateau is double f)
            {
                line["plateau"] = f;
                line["minEpochs"] = options.MinEpochs;
                if (previousError is double e) line[metric!] = e;
            }
            log.Write(line);
        }
    }
}
