using System.Text.Json.Nodes;
using VqVae.Codec.Models.Data;
using VqVae.Codec.Models.Evaluation;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Models.Networks;
using VqVae.Codec.Models.Priors;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Training;

/// <summary>What a level prior training run needs: a VQ-VAE with code levels and images (random crops are encoded every step).</summary>
public sealed record LevelPriorTrainingSetup(
    VqVaeModel VqVae,
    CheckerboardLevelArchitecture Architecture,
    TrainOptions Train,
    ImageDataset Data,
    string OutPath,
    bool Resume,
    JsonObject Provenance)
{
    /// <summary>Held-out images: bits per code of every level after each epoch.</summary>
    public ImageDataset? EvalData { get; init; }

    /// <summary>
    /// Start from this level prior file's architecture and weights instead of <see cref="Architecture"/> (fine-tuning:
    /// the level prior of a VQ-VAE that was trained on from the one it was made for); it must fit the VQ-VAE. A
    /// resumed run starts from its checkpoint instead.
    /// </summary>
    public string? InitFrom { get; init; }
}

/// <summary>
/// Trains the checkerboard level prior by maximum likelihood: every step encodes a batch of random crops with the
/// (frozen) VQ-VAE to the codes of all its levels, builds the reconstruction so far before each further level,
/// and minimises the mean over levels of the cross-entropy of both passes (one forward per level: anchors see no
/// own code, non-anchors the codes of their anchor neighbours; <see cref="CheckerboardLevelPrior"/>).
/// </summary>
public static class LevelPriorTrainer
{
    /// <summary>Runs (or resumes) training and writes the level prior model file.</summary>
    public static TrainingResult Run(LevelPriorTrainingSetup setup, IProgress<TrainingProgress>? progress, CancellationToken cancel)
    {
        var options = setup.Train.Validate();
        if (options.Threads > 0) set_num_threads(options.Threads);
        random.manual_seed(options.Seed);
        var network = setup.VqVae.Network;
        var checkpointPath = Checkpoint.PathFor(setup.OutPath);
        bool resuming = setup.Resume && File.Exists(checkpointPath);
        var start = setup.InitFrom is null || resuming ? null : StartFrom(setup.InitFrom, network);          // checked; disposed as `prior`
        if (start is null) setup.Architecture.CheckFits(network.Architecture);
        network.eval();
        var resumed = resuming ? Checkpoint.Load(checkpointPath) : null;
        using var prior = resumed is not null
            ? CheckerboardLevelModel.FromFile(ModelFile.Parse(resumed.Model, checkpointPath), ModelFile.DigestOf(resumed.Model), checkpointPath).Prior
            : start ?? new CheckerboardLevelPrior(setup.Architecture);
        var record = new JsonObject { ["provenance"] = setup.Provenance.DeepClone(), ["images"] = setup.Data.Count };
        var stage = new Stage(prior, network, new BatchSampler(setup.Data, options.BatchSize, options.CropSize, options.Seed),
            setup.VqVae.Digest, options.Name, setup.EvalData);
        return TrainingLoop.Run(stage, options, setup.OutPath, resumed, record, progress, cancel);
    }

    /// <summary>
    /// Refuses (InvalidOptionsException) a level prior file that does not fit <paramref name="network"/>, as
    /// <see cref="LevelPriorTrainingSetup.InitFrom"/>; callers check before they read any data.
    /// </summary>
    public static void CheckInit(string path, VqVaeNetwork network) => StartFrom(path, network).Dispose();

    /// <summary>The level prior a fine-tuning run starts from, refused before any training when it does not fit the VQ-VAE.</summary>
    private static CheckerboardLevelPrior StartFrom(string path, VqVaeNetwork network)
    {
        var start = CheckerboardLevelModel.Load(path);
        try
        {
            start.Prior.Architecture.CheckFits(network.Architecture);
            return start.Prior;
        }
        catch (InvalidOptionsException e)
        {
            start.Dispose();
            throw new InvalidOptionsException($"--init {path}: {e.Message}");
        }
    }

    /// <summary>The levels a prior trains or codes with a network: 2 .. min(L_max, the network's levels).</summary>
    public static int LastLevel(CheckerboardLevelPrior prior, VqVaeNetwork network) => Math.Min(prior.Architecture.MaxLevel, network.LevelCount);

    private sealed class Stage(CheckerboardLevelPrior prior, VqVaeNetwork network, BatchSampler sampler, byte[] vqvaeDigest, string name, ImageDataset? evalData)
        : ITrainingStage<Tensor>
    {
        public nn.Module Module => prior;
        public int BatchesPerEpoch => sampler.BatchesPerEpoch;
        public IEnumerable<Tensor> Batches(int epoch, int first) => sampler.Epoch(epoch, first).Select(images => ImageTensors.ToTensor(images));
        public int Count(Tensor batch) => (int)batch.shape[0];

        public (Tensor Loss, Dictionary<string, double> Terms) Forward(Tensor images, double progress)
        {
            int last = LastLevel(prior, network);
            Tensor[] grids, before;
            using (no_grad())
            {
                var latents = network.EncodeToLatents(Padding.ToMultiple(images, network.Architecture.Downsampling));
                grids = network.LatentsToLevels(latents, last);
                before = LevelReconstruction.Before(network, grids);
            }
            var terms = new Dictionary<string, double>();
            Tensor? total = null;
            for (int l = 2; l <= last; l++)
            {
                var nll = prior.NegativeLogLikelihood(before[l - 2], l, grids[l - 1]);
                terms[$"bits{l}"] = nll.item<float>() / Math.Log(2);
                total = total is null ? nll : total.Plus(nll);
            }
            var loss = total!.DividedBy(last - 1);
            terms["bitsPerCode"] = loss.item<float>() / Math.Log(2);
            return (loss, terms);
        }

        public void AfterStep(Dictionary<string, double> terms) { }

        public byte[] ModelFile(JsonObject record) => CheckerboardLevelModel.ToFile(prior, name, vqvaeDigest, record).ToBytes();

        public Dictionary<string, double>? Evaluate(CancellationToken cancel)
        {
            if (evalData is null) return null;
            var rows = LevelPriorEvaluator.Evaluate(prior, network, evalData, cancel: cancel);
            var result = new Dictionary<string, double>();
            foreach (var r in rows)
            {
                result[$"bits{r.Level}"] = r.BitsPerCode;
                result[$"unigram{r.Level}"] = r.UnigramBits;
            }
            return result;
        }
    }
}
