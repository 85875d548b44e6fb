using System.CommandLine;
using System.Globalization;
using VqVae.Codec.Entropy;
using VqVae.Codec.Models.Data;
using VqVae.Codec.Models.Evaluation;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Models.Networks;
using VqVae.Codec.Models.Priors;
using VqVae.Codec.Models.Training;
using VqVae.Codec.Prior;
using VqVae.Codec.Tool.Terminal;
using static TorchSharp.torch;

namespace VqVae.Codec.Tool.Commands;

/// <summary>
/// `vqz train level-prior`: the checkerboard level prior (docs/levels.md §4.1) of a VQ-VAE with code levels,
/// trained on random crops encoded every step; with --eval-data, bits per code of every level on held-out
/// images (the network's cross-entropy, the exact evaluator's coded size, and the level's unigram entropy).
/// </summary>
internal static class TrainLevelPriorCommand
{
    private static readonly CheckerboardLevelArchitecture A = new();

    public static Command Create()
    {
        var vqvaeOption = new Option<string>("--vqvae") { Description = "The VQ-VAE model with code levels whose levels 2.. the prior learns.", Required = true };
        var data = new DataOptions("", "Training images (random crops are encoded every step).", required: true);
        var evalData = new DataOptions("eval-", "Held-out images: bits per code of every level at the end (and after every epoch).", required: false);
        var crop = new Option<int?>("--crop") { Description = "Side of the random square crops (needed when images differ in size)." };
        var context = new Option<int>("--context-channels") { Description = "C_a: channels of the 1x1 projection of the reconstruction so far.", DefaultValueFactory = _ => A.ContextChannels };
        var code = new Option<int>("--code-channels") { Description = "E: channels of the own-code embedding.", DefaultValueFactory = _ => A.CodeChannels };
        var hidden = new Option<int>("--hidden-channels") { Description = "C_h: channels of the 3x3 and 1x1 layers.", DefaultValueFactory = _ => A.HiddenChannels };
        var init = new Option<string?>("--init") { Description = "Start from this level prior's architecture and weights (fine-tuning, e.g. for a VQ-VAE trained on from the one it was made for; a resumed run starts from its checkpoint)." };
        var train = new TrainOptionSet();
        var command = new Command("level-prior", "Train the checkerboard entropy model of the code levels after the first (.vql).");
        command.Options.Add(vqvaeOption);
        data.AddTo(command);
        evalData.AddTo(command);
        Option[] architectureOptions = [context, code, hidden];
        foreach (var o in (Option[])[crop, .. architectureOptions, init]) command.Options.Add(o);
        train.AddTo(command);
        command.SetAction((p, cancel) =>
        {
            var console = ToolConsole.For(p);
            if (p.GetValue(init) is not null && architectureOptions.FirstOrDefault(o => p.GetResult(o) is { Implicit: false }) is { } shape)
                throw new UsageException($"{shape.Name} goes without --init: a fine-tuned level prior keeps the architecture of its --init file");
            bool resuming = train.PrepareOutput(p);
            var options = train.Build(p, p.GetValue(crop));
            using var vqvae = VqVaeModel.Load(p.GetValue(vqvaeOption)!);
            if (vqvae.Network.LevelCount < 2)
                throw new Models.InvalidOptionsException($"{p.GetValue(vqvaeOption)} has one code level: a level prior needs a VQ-VAE with levels (train levels, or train vqvae --level-dims)");
            var architecture = CheckerboardLevelArchitecture.For(vqvae.Network.Architecture) with
            {
                ContextChannels = p.GetValue(context),
                CodeChannels = p.GetValue(code),
                HiddenChannels = p.GetValue(hidden),
            };
            architecture.Validate();
            if (p.GetValue(init) is { } initPath) LevelPriorTrainer.CheckInit(initPath, vqvae.Network);   // before the data is read
            var images = data.Load(p, cancel)!;
            var held = evalData.Load(p, cancel);
            console.Out.WriteLine($"{images.Count} training images{(held is null ? "" : $", {held.Count} held out")}; levels 2..{architecture.MaxLevel} of {vqvae.Name}; " +
                                  (p.GetValue(init) is { } from ? $"fine-tuned from {from}" : $"{architecture.MultiplyAddsPerPosition(2):N0} multiply-adds per position (level 2)"));
            var setup = new LevelPriorTrainingSetup(vqvae, architecture, options, images, p.GetValue(train.Out)!, resuming, Provenance.Of("train level-prior", p, images.Count))
            {
                EvalData = held,
                InitFrom = p.GetValue(init),
            };
            Dictionary<string, double>? lastTerms = null;
            var result = TrainingView.Run(console, "training level prior", options.LogEvery,
                progress => LevelPriorTrainer.Run(setup, new Tap(progress, t => lastTerms = t), cancel));
            console.Out.WriteLine($"wrote {result.ModelPath} (sha256 {Convert.ToHexStringLower(result.Digest)}) after {result.Steps} steps");
            if (lastTerms is not null)
                console.Out.WriteLine("last training batch: " + string.Join("  ", lastTerms.Where(t => t.Key.StartsWith("bits", StringComparison.Ordinal))
                    .Select(t => $"{(t.Key == "bitsPerCode" ? "mean" : "level " + t.Key[4..])} {t.Value.ToString("F3", CultureInfo.InvariantCulture)} bits/code")));
            if (held is not null)
            {
                using var trained = CheckerboardLevelModel.Load(result.ModelPath);
                Report(console, trained.Prior, vqvae.Network, held, options.Threads, cancel);
            }
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    /// <summary>
    /// Prints bits per code of every level on <paramref name="data"/>: the network's cross-entropy (all, anchors, others), the size of
    /// the streams the exact evaluator codes, and the level's unigram entropy; decodes every stream again (round trip checked) and times it.
    /// </summary>
    internal static void Report(ToolConsole console, CheckerboardLevelPrior prior, VqVaeNetwork network, ImageDataset data, int threads, CancellationToken cancel)
    {
        threads = threads <= 0 ? Environment.ProcessorCount : threads;
        var rows = LevelPriorEvaluator.Evaluate(prior, network, data, cancel: cancel);
        var (coded, encodeSeconds, decodeSeconds, positions) = Coded(prior, network, data, threads, rows.Count + 1, cancel);
        console.Out.WriteLine($"held out ({data.Count} images): level  bits/code  anchors  others  coded  unigram");
        foreach (var r in rows)
            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  level {r.Level}: {r.BitsPerCode,8:F4} {r.AnchorBits,8:F4} {r.OtherBits,7:F4} {coded[r.Level - 2] / r.Codes,7:F4} {r.UnigramBits,8:F4}   ({r.Codes} codes)"));
        double mean = rows.Average(r => r.BitsPerCode), unigram = rows.Average(r => r.UnigramBits);
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  mean of levels 2..{rows.Count + 1}: {mean:F4} bits/code against {unigram:F4} unigram ({(mean - unigram) / unigram:P1})"));
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"exact coder, {threads} thread(s): levels 2..{rows.Count + 1} of all images encoded in {encodeSeconds:F1} s and decoded (identical grids) in {decodeSeconds:F1} s: " +
            $"{decodeSeconds / Math.Max(1, positions) * 24_576 * 1000:F0} ms per 24,576 positions"));
    }

    /// <summary>Every further level's stream coded with the exact evaluator (LevelCoding), summed over the images in bits; then decoded and compared.</summary>
    private static (double[] Bits, double EncodeSeconds, double DecodeSeconds, long Positions) Coded(CheckerboardLevelPrior prior, VqVaeNetwork network,
        ImageDataset data, int threads, int levels, CancellationToken cancel)
    {
        var weights = CheckerboardLevelWeightsModule.ofPrior(prior);
        var tables = LevelContext.ofNetwork(network);
        var bits = new double[levels - 1];
        int f = network.Architecture.Downsampling;
        var encodeClock = new System.Diagnostics.Stopwatch();
        var decodeClock = new System.Diagnostics.Stopwatch();
        long positions = 0;
        foreach (var image in data.Images)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var grids = network.EncodeToLevels(Padding.ToMultiple(ImageTensors.ToTensor([image]), f), levels);
            var shape = new GridShape((int)grids[0].shape[1], (int)grids[0].shape[2]);
            var flat = grids.Select(g => g.reshape(-1).to_type(ScalarType.Int32).data<int>().ToArray()).ToArray();
            encodeClock.Start();
            var streams = LevelCoding.encodeLevels(weights, tables, threads, shape, flat, cancel);
            encodeClock.Stop();
            decodeClock.Start();
            var decoded = LevelCoding.decodeLevels(weights, tables, threads, shape, flat[0], streams.Select(s => new ReadOnlyMemory<byte>(s)).ToArray(), cancel);
            decodeClock.Stop();
            for (int l = 1; l < levels; l++)
                if (!decoded[l].AsSpan().SequenceEqual(flat[l])) throw new InvalidOperationException($"level {l + 1} of an image decoded to other codes than it encoded");
            for (int l = 0; l < streams.Length; l++) bits[l] += streams[l].Length * 8.0;
            positions += shape.Count;
        }
        return (bits, encodeClock.Elapsed.TotalSeconds, decodeClock.Elapsed.TotalSeconds, positions);
    }

    private sealed class Tap(IProgress<TrainingProgress> inner, Action<Dictionary<string, double>> seen) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            seen(new Dictionary<string, double>(value.Terms));
            inner.Report(value);
        }
    }
}
