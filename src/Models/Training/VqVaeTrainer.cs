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
}

/// <summary>The outcome of a finished training run.</summary>
public sealed record TrainingResult(string ModelPath, byte[] Digest, long Steps, int Epochs, TimeSpan Elapsed, IReadOnlyDictionary<string, double>? LastEvaluation);

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

        var stage = new Stage(network, new BatchSampler(setup.Data, options.BatchSize, options.CropSize, options.Seed), variance, options.Name, setup.EvalData);
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
        if (setup.InitFrom is null) return new VqVaeNetwork(setup.Architecture, setup.Quantizer);
        using var start = VqVaeModel.Load(setup.InitFrom);
        var network = new VqVaeNetwork(start.Network.Architecture, setup.Quantizer with { InitFromEncoder = false });
        using (no_grad())
        {
            var source = start.Network.state_dict();
            foreach (var (name, tensor) in network.state_dict())
                if (source.TryGetValue(name, out var value) && value.shape.SequenceEqual(tensor.shape)) tensor.copy_(value);
        }
        return network;
    }

    private sealed class Stage(VqVaeNetwork network, BatchSampler sampler, double variance, string name, ImageDataset? evalData) : ITrainingStage<Tensor>
    {
        private QuantizerOutput? last;

        public TorchSharp.torch.nn.Module Module => network;
        public int BatchesPerEpoch => sampler.BatchesPerEpoch;
        public IEnumerable<Tensor> Batches(int epoch, int first) => sampler.Epoch(epoch, first).Select(images => ImageTensors.ToTensor(images));
        public int Count(Tensor batch) => (int)batch.shape[0];

        public (Tensor Loss, Dictionary<string, double> Terms) Forward(Tensor x, double progress)
        {
            var q = network.Quantizer.Options;
            var (reconstruction, output) = network.Forward(x, progress);
            var recon = VqVaeLoss.Reconstruction(reconstruction, x, variance);
            var loss = VqVaeLoss.Total(recon, q, output);                                               // eq. 5.4
            last = output;
            var terms = new Dictionary<string, double>
            {
                ["recon"] = recon.item<float>(),
                ["commitment"] = output.Commitment.item<float>(),
                ["vq"] = output.VqLoss.item<float>(),
                ["perplexity"] = CodeStatistics.BatchPerplexity(output.Indices, network.Architecture.CodebookSize),
                ["latentRms"] = output.LatentRms,
                ["codebookRms"] = output.CodebookRms,
            };
            if (network.Quantizer is NeuralGasQuantizer ng) terms["lambda"] = ng.Lambda(progress);
            return (loss, terms);
        }

        public void AfterStep(Dictionary<string, double> terms) => terms["restarts"] = network.Quantizer.AfterOptimizerStep(last!);

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
