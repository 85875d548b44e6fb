using System.Text.Json.Nodes;
using VqVae.Codec.Models.Evaluation;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Models.Priors;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Training;

/// <summary>What a Stage 2 training run needs: code grids of the training set (and optionally held-out grids).</summary>
public sealed record PriorTrainingSetup(
    PriorArchitecture Architecture,
    TrainOptions Train,
    CodeGridSet Grids,
    string OutPath,
    bool Resume,
    JsonObject Provenance)
{
    /// <summary>Side of random square crops of the code grids (needed when grids differ in size).</summary>
    public int? GridCrop { get; init; }

    /// <summary>Held-out grids evaluated (bits per code) after every epoch.</summary>
    public CodeGridSet? EvalGrids { get; init; }

    /// <summary>
    /// Start from this prior file's architecture and weights instead of <see cref="Architecture"/> (fine-tuning: a
    /// prior of the codes of a VQ-VAE that was trained on from the one this prior was made for). Its alphabet must
    /// be the grids' codebook size. A resumed run starts from its checkpoint instead.
    /// </summary>
    public string? InitFrom { get; init; }
}

/// <summary>
/// Trains a prior by maximum likelihood (eq. 3.2): cross-entropy of every code given the codes before it.
/// The static priors need no optimisation: the unigram is the add-one-smoothed histogram of the training codes.
/// </summary>
public static class PriorTrainer
{
    /// <summary>Runs (or resumes) training and writes the prior model file.</summary>
    public static TrainingResult Run(PriorTrainingSetup setup, IProgress<TrainingProgress>? progress, CancellationToken cancel)
    {
        var options = setup.Train.Validate();
        if (options.Threads > 0) set_num_threads(options.Threads);
        random.manual_seed(options.Seed);
        var record = new JsonObject { ["provenance"] = setup.Provenance.DeepClone(), ["grids"] = setup.Grids.Grids.Count };
        var checkpointPath = Checkpoint.PathFor(setup.OutPath);
        bool resuming = setup.Resume && File.Exists(checkpointPath);
        var start = setup.InitFrom is null || resuming ? null : StartFrom(setup.InitFrom, setup.Grids.CodebookSize).Prior;  // disposed as `prior`
        var architecture = start?.Architecture ?? setup.Architecture with { CodebookSize = setup.Grids.CodebookSize };

        if (architecture.Kind is PriorKind.Uniform or PriorKind.Unigram)
        {
            using var staticPrior = PriorFactory.Create(architecture, setup.Grids.Histogram());
            var digest = PriorModel.Save(staticPrior, options.Name, setup.Grids.VqVaeDigest, record, setup.OutPath);
            return new TrainingResult(setup.OutPath, digest, 0, 0, TimeSpan.Zero, null);
        }
        if (architecture.Kind == PriorKind.Made && setup.Grids.UniformSize && setup.GridCrop is null)
            architecture = architecture with { GridHeight = setup.Grids.Grids[0].Height, GridWidth = setup.Grids.Grids[0].Width };

        var resumed = resuming ? Checkpoint.Load(checkpointPath) : null;
        using var prior = resumed is not null
            ? PriorModel.FromFile(ModelFile.Parse(resumed.Model, checkpointPath), ModelFile.DigestOf(resumed.Model), checkpointPath).Prior
            : start ?? PriorFactory.Create(architecture);
        var stage = new Stage(prior, new GridBatchSampler(setup.Grids, options.BatchSize, setup.GridCrop, options.Seed),
            setup.Grids.VqVaeDigest, options.Name, setup.EvalGrids);
        return TrainingLoop.Run(stage, options, setup.OutPath, resumed, record, progress, cancel);
    }

    /// <summary>
    /// Refuses (InvalidOptionsException) a prior file that a run over codes of <paramref name="codebookSize"/> cannot
    /// start from, as <see cref="PriorTrainingSetup.InitFrom"/>; callers check before they read any data.
    /// </summary>
    public static void CheckInit(string path, int codebookSize) => StartFrom(path, codebookSize).Dispose();

    /// <summary>The prior a fine-tuning run starts from, refused before any training when it cannot be one.</summary>
    private static PriorModel StartFrom(string path, int codebookSize)
    {
        var start = PriorModel.Load(path);
        string? problem = start.Prior.Architecture.Kind is PriorKind.Uniform or PriorKind.Unigram
            ? $"a {PriorArchitecture.NameOf(start.Prior.Architecture.Kind)} prior has no weights to train on"
            : start.Prior.Architecture.CodebookSize != codebookSize
                ? $"its alphabet has {start.Prior.Architecture.CodebookSize} codes, the VQ-VAE's codebook {codebookSize}"
                : null;
        if (problem is null) return start;
        start.Dispose();
        throw new InvalidOptionsException($"--init {path}: {problem}");
    }

    private sealed class Stage(Prior prior, GridBatchSampler sampler, byte[] vqvaeDigest, string name, CodeGridSet? evalGrids) : ITrainingStage<Tensor>
    {
        public nn.Module Module => prior;
        public int BatchesPerEpoch => sampler.BatchesPerEpoch;
        public IEnumerable<Tensor> Batches(int epoch, int first) => sampler.Epoch(epoch, first);
        public int Count(Tensor batch) => (int)batch.shape[0];

        public (Tensor Loss, Dictionary<string, double> Terms) Forward(Tensor codes, double progress)
        {
            var nll = prior.NegativeLogLikelihood(codes);
            return (nll, new Dictionary<string, double> { ["bitsPerCode"] = nll.item<float>() / Math.Log(2) });
        }

        public void AfterStep(Dictionary<string, double> terms) { }

        public byte[] ModelFile(JsonObject record) => PriorModel.ToFile(prior, name, vqvaeDigest, record).ToBytes();

        public Dictionary<string, double>? Evaluate(CancellationToken cancel)
        {
            if (evalGrids is null) return null;
            var e = PriorEvaluator.Evaluate(prior, evalGrids, cancel: cancel);
            return new Dictionary<string, double> { ["bitsPerCode"] = e.BitsPerCode, ["bitsPerDimension"] = e.BitsPerDimension };
        }
    }
}
