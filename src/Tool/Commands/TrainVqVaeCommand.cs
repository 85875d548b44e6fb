using System.CommandLine;
using System.Text.Json.Nodes;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Models.Networks;
using VqVae.Codec.Models.Quantizers;
using VqVae.Codec.Models.Training;
using VqVae.Codec.Tool.Terminal;

namespace VqVae.Codec.Tool.Commands;

/// <summary>`vqz train vqvae`: Stage 1 training with any quantizer of the thesis.</summary>
internal static class TrainVqVaeCommand
{
    private static readonly QuantizerOptions Q = new();
    private static readonly VqVaeArchitecture A = new();
    private static readonly TrainOptions T = new();

    public static Command Create()
    {
        var data = new DataOptions("", "Training images: an image file, a folder, or a .tar (e.g. CIFAR-10 train.tar).", required: true);
        var evalData = new DataOptions("eval-", "Held-out images evaluated after every epoch.", required: false);
        var quantizer = new Option<string>("--quantizer")
        {
            Description = "kmeans | ema | neural-gas | fcm | fcm-membership | fcm-normalized.",
            DefaultValueFactory = _ => QuantizerOptions.NameOf(Q.Kind),
        };
        quantizer.AcceptOnlyFromAmong(Enum.GetValues<QuantizerKind>().Select(QuantizerOptions.NameOf).ToArray());
        var stochastic = new Option<int>("--stochastic") { Description = "M: decode the mean of M prototypes sampled from the posterior (section 5.1.3); 0 = nearest.", DefaultValueFactory = _ => Q.StochasticSamples };
        var alpha = new Option<double>("--alpha") { Description = "Commitment weight alpha (eq. 5.2).", DefaultValueFactory = _ => Q.Alpha };
        var eta = new Option<double>("--eta") { Description = "VQ-loss weight eta (eq. 5.3).", DefaultValueFactory = _ => Q.Eta };
        var lambdaStart = new Option<double>("--lambda-start") { Description = "Neural-gas lambda at the start.", DefaultValueFactory = _ => Q.LambdaStart };
        var lambdaEnd = new Option<double?>("--lambda-end") { Description = "Neural-gas lambda at the end (geometric annealing); default: fixed at --lambda-start." };
        var fuzzifier = new Option<double>("--fuzzifier") { Description = "Fuzzy c-means fuzzifier m > 1.", DefaultValueFactory = _ => Q.Fuzzifier };
        var fcmDistance = new Option<string>("--fcm-distance") { Description = "squared (eq. 4.4 as written) | euclidean (Bezdek's FCM).", DefaultValueFactory = _ => Q.FcmDistance.ToString().ToLowerInvariant() };
        fcmDistance.AcceptOnlyFromAmong("squared", "euclidean");
        var detachPosterior = new Option<bool>("--detach-posterior") { Description = "Treat FCM posteriors as fixed weights (no gradient through q)." };
        var emaDecay = new Option<double>("--ema-decay") { Description = "Decay of the EMA quantizer.", DefaultValueFactory = _ => Q.EmaDecay };
        var noInit = new Option<bool>("--no-init-from-encoder") { Description = "Keep the random codebook instead of seeding it from the first batch's latents." };
        var deadCode = new Option<int>("--dead-code-steps") { Description = "Re-seed a code unused for N steps; 0 = never.", DefaultValueFactory = _ => Q.DeadCodeSteps };

        var hidden = new Option<int>("--hidden") { Description = "Hidden channels.", DefaultValueFactory = _ => A.HiddenChannels };
        var residualChannels = new Option<int>("--residual-channels") { Description = "Residual block channels.", DefaultValueFactory = _ => A.ResidualChannels };
        var residualBlocks = new Option<int>("--residual-blocks") { Description = "Residual blocks.", DefaultValueFactory = _ => A.ResidualBlocks };
        var latentDim = new Option<int>("--latent-dim") { Description = "D, the latent dimension.", DefaultValueFactory = _ => A.LatentDim };
        var codebookSize = new Option<int>("--codebook-size") { Description = "K, the number of prototypes.", DefaultValueFactory = _ => A.CodebookSize };
        var downsampling = new Option<int>("--downsampling") { Description = "4 or 8: pixels per latent along each side.", DefaultValueFactory = _ => A.Downsampling };
        downsampling.AcceptOnlyFromAmong("4", "8", "16");

        var crop = new Option<int?>("--crop") { Description = "Train on random square crops of this side (needed for photos of mixed sizes)." };
        var init = new Option<string?>("--init") { Description = "Start from this model's architecture and weights (fine-tuning); with --residual-channels or --residual-blocks, grown to them first without changing what it computes (a resumed run keeps its checkpoint's architecture)." };
        var dropout = new Option<double>("--quantizer-dropout")
        {
            Description = "With code levels: the probability that an item trains with a random number of its levels (SoundStream, DAC).",
            DefaultValueFactory = _ => new QuantizerDropout().Probability,
        };
        var firstLevelShare = new Option<double>("--first-level-share")
        {
            Description = "With code levels: the share of items that train with level 1 alone, set aside before --quantizer-dropout (0 = DAC's rule alone).",
            DefaultValueFactory = _ => new QuantizerDropout().FirstLevelShare,
        };
        var levelDims = new Option<string?>("--level-dims")
        {
            Description = "Code levels after the first (residual VQ, docs/levels.md): the width d of each, comma-separated (e.g. 8,8,8); none by default.",
        };
        var levelCodebook = new Option<int>("--level-codebook-size")
        {
            Description = "K of each further level (at most 512).", DefaultValueFactory = _ => new ResidualLevelArchitecture().CodebookSize,
        };
        var levelRateLambda = new Option<string?>("--level-rate-lambda")
        {
            Description = "With code levels: entropy-constrained assignment in the levels after the first (a bit is worth this many mean errors; docs/levels.md), " +
                          "one weight for all or comma-separated, one per level; 0 = nearest prototype (from an --init model trained with it, its rate statistics are dropped).",
        };
        var unquantized = new Option<bool>("--unquantized") { Description = "Train with no quantizer (the decoder reads the latents): the networks' ceiling, for measurement only." };
        var plateau = new Option<double?>("--plateau")
        {
            Description = "Stop when the held-out normalised reconstruction error improved by less than this fraction over an epoch (0.01 = 1 %); needs --eval-data; --epochs stays the upper bound.",
        };
        var minEpochs = new Option<int>("--min-epochs") { Description = "Epochs run before --plateau may stop training.", DefaultValueFactory = _ => T.MinEpochs };
        var train = new TrainOptionSet();

        var command = new Command("vqvae", "Train a VQ-VAE (Stage 1) with the generalised loss of eq. 5.4.");
        data.AddTo(command);
        evalData.AddTo(command);
        foreach (var o in new Option[] { quantizer, stochastic, alpha, eta, lambdaStart, lambdaEnd, fuzzifier, fcmDistance, detachPosterior, emaDecay, noInit, deadCode,
                     hidden, residualChannels, residualBlocks, latentDim, codebookSize, downsampling, crop, init, dropout, firstLevelShare, levelDims, levelCodebook, levelRateLambda, unquantized,
                     plateau, minEpochs })
            command.Options.Add(o);
        train.AddTo(command);

        command.SetAction((p, cancel) =>
        {
            var console = ToolConsole.For(p);
            var outPath = p.GetValue(train.Out)!;
            if (p.GetValue(plateau) is not null && p.GetValue(evalData.Path) is null)
                throw new UsageException("--plateau needs --eval-data: the held-out error it watches");
            bool resuming = train.PrepareOutput(p);
            int? growChannels = p.GetValue(init) is not null && p.GetResult(residualChannels) is { Implicit: false } ? p.GetValue(residualChannels) : null;
            int? growBlocks = p.GetValue(init) is not null && p.GetResult(residualBlocks) is { Implicit: false } ? p.GetValue(residualBlocks) : null;
            var dropoutRule = new QuantizerDropout { Probability = p.GetValue(dropout), FirstLevelShare = p.GetValue(firstLevelShare) };
            double start = p.GetValue(lambdaStart);
            var quantizerOptions = new QuantizerOptions
            {
                Kind = QuantizerOptions.Parse(p.GetValue(quantizer)!),
                StochasticSamples = p.GetValue(stochastic),
                Alpha = p.GetValue(alpha),
                Eta = p.GetValue(eta),
                LambdaStart = start,
                LambdaEnd = p.GetValue(lambdaEnd) ?? start,
                Fuzzifier = p.GetValue(fuzzifier),
                FcmDistance = p.GetValue(fcmDistance) == "euclidean" ? FcmDistance.Euclidean : FcmDistance.Squared,
                PosteriorGradient = !p.GetValue(detachPosterior),
                EmaDecay = p.GetValue(emaDecay),
                InitFromEncoder = !p.GetValue(noInit),
                DeadCodeSteps = p.GetValue(deadCode),
            }.Validate();
            var rateLambdas = RateLambdasOf(p.GetValue(levelRateLambda));
            var architecture = new VqVaeArchitecture
            {
                HiddenChannels = p.GetValue(hidden),
                ResidualChannels = p.GetValue(residualChannels),
                ResidualBlocks = p.GetValue(residualBlocks),
                LatentDim = p.GetValue(latentDim),
                CodebookSize = p.GetValue(codebookSize),
                Downsampling = p.GetValue(downsampling),
                Levels = LevelsOf(p.GetValue(levelDims), p.GetValue(levelCodebook)),
            }.Validate();
            bool growing = (growChannels ?? growBlocks) is not null;
            if (!resuming && (growing || rateLambdas.Count > 0))
            {
                // Refused before any data is read: a growth that cannot be, rate weights that fit no levels of the network trained.
                using var startModel = p.GetValue(init) is string from ? VqVaeModel.Load(from) : null;
                var trained = startModel?.Network.Architecture ?? architecture;
                if (growing) trained = NetworkGrowth.Grown(trained, growChannels, growBlocks);
                try { VqVaeTrainer.LevelQuantizers(trained, quantizerOptions, rateLambdas); }
                catch (VqVae.Codec.Models.InvalidOptionsException refused) when (rateLambdas.Count > 0) { throw new UsageException($"--level-rate-lambda: {refused.Message}"); }
            }
            var trainOptions = (train.Build(p, p.GetValue(crop)) with { Plateau = p.GetValue(plateau), MinEpochs = p.GetValue(minEpochs) }).Validate();

            console.Out.WriteLine($"Loading {p.GetValue(data.Path)} ...");
            var trainData = data.Load(p, cancel)!;
            var held = evalData.Load(p, cancel);
            console.Out.WriteLine($"{trainData.Count} training images{(held is null ? "" : $", {held.Count} held out")}; " +
                                  $"quantizer {QuantizerOptions.NameOf(quantizerOptions.Kind)}{(resuming ? $"; resuming from {Checkpoint.PathFor(outPath)}" : "")}");
            var setup = new VqVaeTrainingSetup(architecture, quantizerOptions, trainOptions, trainData, outPath, resuming,
                Provenance.Of("train vqvae", p, trainData.Count)) { EvalData = held, InitFrom = p.GetValue(init),
                GrowResidualChannels = growChannels,
                GrowResidualBlocks = growBlocks,
                QuantizerDropout = dropoutRule, Unquantized = p.GetValue(unquantized), LevelRateLambdas = rateLambdas };
            var result = TrainingView.Run(console, "training", trainOptions.LogEvery, progress => VqVaeTrainer.Run(setup, progress, cancel));
            console.Out.WriteLine($"wrote {result.ModelPath} (sha256 {Convert.ToHexStringLower(result.Digest)}) after {result.Steps} steps, {result.Elapsed:hh\\:mm\\:ss} this session");
            if (result.StopReason == ConvergenceStop.PlateauReason)
                console.Out.WriteLine($"stopped after epoch {result.Epochs}: the held-out error improved by less than {trainOptions.Plateau:P1} over the epoch");
            if (result.LastEvaluation is { } e)
                console.Out.WriteLine($"held out: nrecon {e["nrecon"]:F4}  PSNR {e["psnr"]:F2} dB  perplexity {e["perplexity"]:F1}  codes used {e["codesUsed"]:P1}");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    /// <summary>The further levels "8,8,8" names (null: none).</summary>
    /// <summary>The weights of --level-rate-lambda; their range is checked with the level quantizers' options.</summary>
    private static IReadOnlyList<double> RateLambdasOf(string? list) =>
        string.IsNullOrWhiteSpace(list) ? []
            : list.Split(',', StringSplitOptions.TrimEntries).Select(v =>
                double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var x)
                    ? x
                    : throw new UsageException($"--level-rate-lambda takes comma-separated weights, not '{v}'")).ToList();

    private static IReadOnlyList<ResidualLevelArchitecture>? LevelsOf(string? dims, int codebookSize)
    {
        if (string.IsNullOrWhiteSpace(dims)) return null;
        return dims.Split(',', StringSplitOptions.TrimEntries).Select(d => int.TryParse(d, out var n)
            ? new ResidualLevelArchitecture { Dim = n, CodebookSize = codebookSize }
            : throw new VqVae.Codec.Models.InvalidOptionsException($"--level-dims takes comma-separated widths, not '{d}'")).ToList();
    }
}
