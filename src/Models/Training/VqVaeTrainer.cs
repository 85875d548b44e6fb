using System.Text.Json.Nodes;
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

    /// <summary>
    /// A model to start from (fine-tuning, e.g. a CIFAR-10 model on photo crops): its architecture and
    /// weights replace <see cref="Architecture"/>; the quantizer options still come from <see cref="Quantizer"/>.
    /// </summary>
    public string? InitFrom { get; init; }

    /// <summary>
    /// With <see cref="InitFrom"/>: residual blocks of this many channels instead of the model's (more only),
    /// grown without changing what the network computes (<see cref="NetworkGrowth"/>); null keeps the model's.
    /// </summary>
    public int? GrowResidualChannels { get; init; }

    /// <summary>With <see cref="InitFrom"/>: this many residual blocks instead of the model's (more only); null keeps the model's.</summary>
    public int? GrowResidualBlocks { get; init; }

    /// <summary>
    /// Quantizer dropout (SoundStream, DAC) for networks with code levels, so that every prefix of the levels
    /// decodes well and the number of levels sent is the rate knob: DAC's p = 0.5 by default.
    /// </summary>
    public QuantizerDropout QuantizerDropout { get; init; } = new();

    /// <summary>
    /// Trains without any quantizer: the decoder reads the encoder's latents. Only for measuring the
    /// networks' ceiling (issue 11, gate a); the model file it writes still holds the untouched codebook.
    /// </summary>
    public bool Unquantized { get; init; }

    /// <summary>
    /// lambda of entropy-constrained assignment (<see cref="RateConstraint"/>) in the levels after the first: one
    /// value for all of them, or one per further level (level 2 first); none or 0 assigns the nearest prototype.
    /// Level 1 always keeps <see cref="Quantizer"/>.
    /// </summary>
    public IReadOnlyList<double> LevelRateLambdas { get; init; } = [];
}

/// <summary>The outcome of a finished training run.</summary>
public sealed record TrainingResult(string ModelPath, byte[] Digest, long Steps, int Epochs, TimeSpan Elapsed, IReadOnlyDictionary<string, double>? LastEvaluation)
{
    /// <summary>Why training ended: "plateau" (<see cref="TrainOptions.Plateau"/>), "epochs" or "max-steps".</summary>
    public string? StopReason { get; init; }
}

/// <summary>
/// Trains a VQ-VAE with the generalised loss (eq. 5.4):
/// reconstruction + alpha * commitment (eq. 5.2) + eta * VQ loss (eq. 5.3).
/// The reconstruction term is the MSE divided by the training pixels' variance, as in the VQ-VAE reference
/// notebook the thesis builds on, so alpha and eta keep the thesis's scale.
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
        var resumed = setup.Resume && File.Exists(checkpointPath) ? Checkpoint.Load(checkpointPath) : null;
        VqVaeModel? previous = resumed is null ? null
            : VqVaeModel.FromFile(ModelFile.Parse(resumed.Model, checkpointPath), ModelFile.DigestOf(resumed.Model), checkpointPath);
        using var network = previous?.Network ?? Initial(setup);
        double variance = previous?.DataVariance ?? setup.Data.PixelVariance();

        var stage = new Stage(network, new BatchSampler(setup.Data, options.BatchSize, options.CropSize, options.Seed), variance, options.Name, setup.EvalData)
        {
            LogEvery = options.LogEvery,
            QuantizerDropout = setup.QuantizerDropout,
            Unquantized = setup.Unquantized,
        };
        var record = new JsonObject
        {
            ["provenance"] = setup.Provenance.DeepClone(),
            ["dataVariance"] = variance,
            ["images"] = setup.Data.Count,
        };
        return TrainingLoop.Run(stage, options, setup.OutPath, resumed, record, progress, cancel);
    }

    private static VqVaeNetwork Initial(VqVaeTrainingSetup setup)
    {
        if (setup.InitFrom is null) return new VqVaeNetwork(setup.Architecture, setup.Quantizer, LevelQuantizers(setup.Architecture, setup.Quantizer, setup.LevelRateLambdas));
        using var start = VqVaeModel.Load(setup.InitFrom);
        // The level quantizers take the new options too; codebooks fitted or trained before are kept (InitFromEncoder off),
        // and a rate constraint new to them starts from uniform code frequencies.
        var architecture = NetworkGrowth.Grown(start.Network.Architecture, setup.GrowResidualChannels, setup.GrowResidualBlocks);
        var quantizer = setup.Quantizer with { InitFromEncoder = false };
        var network = new VqVaeNetwork(architecture, quantizer, LevelQuantizers(architecture, quantizer, setup.LevelRateLambdas));
        NetworkGrowth.CopyInto(start.Network, network);
        return network;
    }

    /// <summary>The quantizer of each further level: level 1's, with the level's rate constraint; null without levels.</summary>
    public static List<QuantizerOptions>? LevelQuantizers(VqVaeArchitecture architecture, QuantizerOptions quantizer, IReadOnlyList<double> rateLambdas)
    {
        var levels = architecture.Levels ?? [];
        if (rateLambdas.Count > 1 && rateLambdas.Count != levels.Count)
            throw new InvalidOptionsException($"{rateLambdas.Count} rate weights for {levels.Count} levels after the first: give one for all or one per level");
        if (rateLambdas.Any(l => l > 0) && levels.Count == 0)
            throw new InvalidOptionsException("a rate weight for the levels after the first needs such levels");
        return levels.Count == 0 ? null
            : levels.Select((_, i) => (quantizer with { RateLambda = rateLambdas.Count == 0 ? 0 : rateLambdas[Math.Min(i, rateLambdas.Count - 1)] }).Validate()).ToList();
    }

    private sealed class Stage(VqVaeNetwork network, BatchSampler sampler, double variance, string name, ImageDataset? evalData) : ITrainingStage<Tensor>
    {
        private VqVaeForward? last;

        public QuantizerDropout QuantizerDropout { get; init; } = new();
        public bool Unquantized { get; init; }

        /// <summary>The window of the logged "activeCodes": codes used in the last this many steps.</summary>
        public int LogEvery { get; init; } = 50;

        public string? ConvergenceMetric => evalData is null ? null : "nrecon";

        public TorchSharp.torch.nn.Module Module => network;
        public int BatchesPerEpoch => sampler.BatchesPerEpoch;
        public IEnumerable<Tensor> Batches(int epoch, int first) => sampler.Epoch(epoch, first).Select(images => ImageTensors.ToTensor(images));
        public int Count(Tensor batch) => (int)batch.shape[0];

        public (Tensor Loss, Dictionary<string, double> Terms) Forward(Tensor x, double progress)
        {
            if (Unquantized)
            {
                last = null;
                var ceiling = nn.functional.mse_loss(network.ForwardUnquantized(x), x).DividedBy(variance);
                return (ceiling, new Dictionary<string, double> { ["recon"] = ceiling.item<float>() });
            }
            var q = network.Quantizer.Options;
            var pass = network.Forward(x, progress, QuantizerDropout.LevelsUsed(x.shape[0], network.LevelCount));
            var recon = VqVaeLoss.Reconstruction(pass.Reconstruction, x, variance);
            var loss = VqVaeLoss.Total(recon, q, [.. pass.Levels]);                                     // eq. 5.4, summed over the levels
            last = pass;
            var output = pass.Quantizer;
            var usage = new CodeStatistics(network.Architecture.CodebookSize);
            usage.Add(output.Indices);
            var terms = new Dictionary<string, double>
            {
                ["recon"] = recon.item<float>(),
                ["commitment"] = output.Commitment.item<float>(),
                ["vq"] = output.VqLoss.item<float>(),
                ["perplexity"] = usage.Perplexity,                                                      // per batch, as the reference notebook
                ["batchCodes"] = usage.Counts.Count(c => c > 0),
                ["latentRms"] = output.LatentRms,
                ["codebookRms"] = output.CodebookRms,
            };
            for (int l = 2; l <= network.LevelCount; l++)
            {
                var level = pass.Levels[l - 1];
                terms[$"commitment{l}"] = level.Commitment.item<float>();
                terms[$"perplexity{l}"] = CodeStatistics.BatchPerplexity(level.Indices, network.CodebookSizeOf(l));
            }
            if (network.Quantizer is NeuralGasQuantizer ng) terms["lambda"] = ng.Lambda(progress);
            return (loss, terms);
        }

        public void AfterStep(Dictionary<string, double> terms)
        {
            if (last is null) return;
            terms["restarts"] = network.AfterOptimizerStep(last);
            // Codebook use over training (level 1): used within the log window, and dead = unused for a whole epoch's steps.
            int k = network.Architecture.CodebookSize;
            terms["activeCodes"] = k - network.Quantizer.IdleCodes(LogEvery);
            terms["deadCodes"] = network.Quantizer.IdleCodes(BatchesPerEpoch);
        }

        public byte[] ModelFile(JsonObject record) => VqVaeModel.ToFile(network, name, record).ToBytes();

        public Dictionary<string, double>? Evaluate(CancellationToken cancel)
        {
            if (evalData is null) return null;
            var e = VqVaeEvaluator.Evaluate(network, evalData, variance, cancel: cancel);
            return new Dictionary<string, double>
            {
                ["mse"] = e.Mse, ["nrecon"] = e.NormalizedError, ["psnr"] = e.Psnr, ["perplexity"] = e.Perplexity, ["codesUsed"] = e.CodesUsed,
            };
        }
    }
}
