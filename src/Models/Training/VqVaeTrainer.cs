using System.Diagnostics;
using System.Text.Json.Nodes;
using TorchSharp;
using VqVae.Codec.Models.Data;
using VqVae.Codec.Models.Evaluation;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Models.Networks;
using VqVae.Codec.Models.Quantizers;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Training;

/// <summary>What a Stage 1 training run needs.</summary>
public sealed record VqVaeTrainingSetup(
    VqVaeArchitecture Architecture,
    QuantizerOptions Quantizer,
    TrainOptions Train,
    ImageDataset Data,
    string OutPath,
    bool Resume,
    JsonObject Provenance)
{
    /// <summary>Optional held-out images evaluated at the end of every epoch.</summary>
    public ImageDataset? EvalData { get; init; }
}

/// <summary>The outcome of a finished training run.</summary>
public sealed record TrainingResult(string ModelPath, byte[] Digest, long Steps, int Epochs, TimeSpan Elapsed, VqVaeEvaluation? LastEvaluation);

/// <summary>
/// Trains a VQ-VAE with the generalised loss (eq. 5.4):
/// reconstruction + alpha * commitment (eq. 5.2) + eta * VQ loss (eq. 5.3).
/// The reconstruction term is the MSE divided by the training pixels' variance, as in the VQ-VAE reference
/// notebook the thesis builds on, so alpha and eta keep the thesis's scale.
/// Resumable: checkpoints every N steps, at each epoch end, and when cancelled.
/// </summary>
public static class VqVaeTrainer
{
    /// <summary>Runs (or resumes) training and writes the model file to <see cref="VqVaeTrainingSetup.OutPath"/>.</summary>
    public static TrainingResult Run(VqVaeTrainingSetup setup, IProgress<TrainingProgress>? progress, CancellationToken cancel)
    {
        var options = setup.Train.Validate();
        if (options.Threads > 0) set_num_threads(options.Threads);
        random.manual_seed(options.Seed);

        var checkpointPath = Checkpoint.PathFor(setup.OutPath);
        Checkpoint? resumed = setup.Resume && File.Exists(checkpointPath) ? Checkpoint.Load(checkpointPath) : null;

        using var network = resumed is null
            ? new VqVaeNetwork(setup.Architecture, setup.Quantizer)
            : VqVaeModel.FromFile(ModelFile.Parse(resumed.Model, checkpointPath), ModelFile.DigestOf(resumed.Model), checkpointPath).Network;
        network.train();
        var optimizer = optim.Adam(network.parameters(), options.LearningRate);
        double variance = (double?)resumed?.State["dataVariance"] ?? setup.Data.PixelVariance();
        if (resumed is not null)
        {
            optimizer.load_state_dict(new BinaryReader(new MemoryStream(resumed.Optimizer)));
            using var rng = tensor(resumed.Rng, ScalarType.Byte);
            random.set_rng_state(rng);
        }

        var sampler = new BatchSampler(setup.Data, options.BatchSize, options.CropSize, options.Seed);
        long totalSteps = (long)options.Epochs * sampler.BatchesPerEpoch;
        if (options.MaxSteps is int max) totalSteps = Math.Min(totalSteps, max);
        long step = resumed?.Step ?? 0;
        int epoch = resumed?.Epoch ?? 0, batch = resumed?.Batch ?? 0;

        using var log = new TrainingLog(setup.OutPath + ".log.jsonl");
        var clock = Stopwatch.StartNew();
        long stepsThisSession = 0, imagesThisSession = 0;
        VqVaeEvaluation? lastEvaluation = null;
        int restartsSinceLog = 0;

        JsonObject TrainingRecord() => new()
        {
            ["provenance"] = setup.Provenance.DeepClone(),
            ["options"] = System.Text.Json.JsonSerializer.SerializeToNode(options, VqVaeModel.Json),
            ["dataVariance"] = variance,
            ["steps"] = step,
            ["epochsCompleted"] = epoch,
            ["images"] = setup.Data.Count,
        };

        void SaveCheckpoint(string path)
        {
            var model = VqVaeModel.ToFile(network, options.Name, TrainingRecord()).ToBytes();
            using var optimizerState = new MemoryStream();
            using (var writer = new BinaryWriter(optimizerState, System.Text.Encoding.UTF8, leaveOpen: true))
                optimizer.save_state_dict(writer);
            using var rng = random.get_rng_state();
            var state = new JsonObject { ["epoch"] = epoch, ["batch"] = batch, ["step"] = step, ["dataVariance"] = variance };
            new Checkpoint(state, model, optimizerState.ToArray(), rng.bytes.ToArray()).Save(path);
        }

        while (epoch < options.Epochs && step < totalSteps)
        {
            foreach (var images in sampler.Epoch(epoch, batch))
            {
                if (cancel.IsCancellationRequested)
                {
                    SaveCheckpoint(checkpointPath);
                    cancel.ThrowIfCancellationRequested();
                }
                using var scope = NewDisposeScope();
                double t = (double)step / Math.Max(1, totalSteps);
                var x = ImageTensors.ToTensor(images);
                var (reconstruction, q) = network.Forward(x, t);
                var recon = nn.functional.mse_loss(reconstruction, x) / variance;
                var loss = recon + setup.Quantizer.Alpha * q.Commitment + setup.Quantizer.Eta * q.VqLoss; // eq. 5.4
                foreach (var group in optimizer.ParamGroups) group.LearningRate = options.LearningRateAt(step);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                restartsSinceLog += network.Quantizer.AfterOptimizerStep(q);

                step++; batch++; stepsThisSession++; imagesThisSession += images.Count;
                if (step % options.LogEvery == 0 || step == totalSteps || progress is not null)
                {
                    var terms = new Dictionary<string, double>
                    {
                        ["loss"] = loss.item<float>(),
                        ["recon"] = recon.item<float>(),
                        ["commitment"] = q.Commitment.item<float>(),
                        ["vq"] = q.VqLoss.item<float>(),
                        ["perplexity"] = CodeStatistics.BatchPerplexity(q.Indices, network.Architecture.CodebookSize),
                        ["restarts"] = restartsSinceLog,
                        ["latentRms"] = q.LatentRms,
                        ["codebookRms"] = q.CodebookRms,
                    };
                    if (network.Quantizer is NeuralGasQuantizer ng) terms["lambda"] = ng.Lambda(t);
                    if (!double.IsFinite(terms["loss"]))
                        throw new InvalidOperationException($"the loss became {terms["loss"]} at step {step}; the last checkpoint is {checkpointPath}");
                    double seconds = clock.Elapsed.TotalSeconds;
                    terms["imagesPerSecond"] = imagesThisSession / Math.Max(seconds, 1e-9);
                    if (step % options.LogEvery == 0 || step == totalSteps)
                    {
                        log.Write("step", terms, step, epoch + 1);
                        restartsSinceLog = 0;
                    }
                    progress?.Report(new TrainingProgress(step, totalSteps, epoch + 1, options.Epochs, terms,
                        terms["imagesPerSecond"], clock.Elapsed) { StepsThisSession = stepsThisSession });
                }
                if (step % options.CheckpointEvery == 0) SaveCheckpoint(checkpointPath);
                if (step >= totalSteps) break;
            }
            if (batch >= sampler.BatchesPerEpoch)
            {
                epoch++;
                batch = 0;
                if (setup.EvalData is { } evalData)
                {
                    lastEvaluation = VqVaeEvaluator.Evaluate(network, evalData, variance, cancel: cancel);
                    log.Write("eval", new Dictionary<string, double>
                    {
                        ["mse"] = lastEvaluation.Mse, ["nrecon"] = lastEvaluation.NormalizedError, ["psnr"] = lastEvaluation.Psnr,
                        ["perplexity"] = lastEvaluation.Perplexity, ["codesUsed"] = lastEvaluation.CodesUsed,
                    }, step, epoch);
                }
                SaveCheckpoint(checkpointPath);
                if (options.KeepEpochCheckpoints) File.Copy(checkpointPath, $"{setup.OutPath}.epoch{epoch:D3}.ckpt", overwrite: true);
            }
        }
        SaveCheckpoint(checkpointPath);
        var digest = VqVaeModel.Save(network, options.Name, TrainingRecord(), setup.OutPath);
        return new TrainingResult(setup.OutPath, digest, step, epoch, clock.Elapsed, lastEvaluation);
    }
}
