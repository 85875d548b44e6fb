using System.CommandLine;
using VqVae.Codec.Models.Training;

namespace VqVae.Codec.Tool.Commands;

/// <summary>The options every training command shares; defaults come from <see cref="TrainOptions"/>.</summary>
internal sealed class TrainOptionSet
{
    private static readonly TrainOptions T = new();

    public Option<int> Epochs { get; } = new("--epochs") { Description = "Epochs.", DefaultValueFactory = _ => T.Epochs };
    public Option<int> Batch { get; } = new("--batch") { Description = "Batch size.", DefaultValueFactory = _ => T.BatchSize };
    public Option<double> Lr { get; } = new("--lr") { Description = "Adam learning rate.", DefaultValueFactory = _ => T.LearningRate };
    public Option<int> Warmup { get; } = new("--warmup") { Description = "Steps of linear learning-rate warm-up.", DefaultValueFactory = _ => T.WarmupSteps };
    public Option<int> Seed { get; } = new("--seed") { Description = "Random seed.", DefaultValueFactory = _ => T.Seed };
    public Option<int> CheckpointEvery { get; } = new("--checkpoint-every") { Description = "Steps between checkpoints.", DefaultValueFactory = _ => T.CheckpointEvery };
    public Option<bool> KeepEpochs { get; } = new("--keep-epoch-checkpoints") { Description = "Keep a numbered checkpoint per epoch." };
    public Option<int> LogEvery { get; } = new("--log-every") { Description = "Steps between log lines.", DefaultValueFactory = _ => T.LogEvery };
    public Option<int> Threads { get; } = new Option<int>("--threads") { Description = "TorchSharp threads (0 = all cores).", DefaultValueFactory = _ => T.Threads }.InRange(0, OptionLimits.MaxThreads);
    public Option<int?> MaxSteps { get; } = new("--max-steps") { Description = "Stop after N steps in all." };
    public Option<string?> Name { get; } = new("--name") { Description = "Model name recorded in the file (default: the output file name)." };
    public Option<string> Out { get; } = new("--out", "-o") { Description = "Model file to write; checkpoint <out>.ckpt, log <out>.log.jsonl.", Required = true };
    public Option<bool> Resume { get; } = new("--resume") { Description = "Continue from <out>.ckpt." };
    public Option<bool> Force { get; } = new("--force") { Description = "Start afresh even if <out> or its checkpoint exists." };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Epochs, Batch, Lr, Warmup, Seed, CheckpointEvery, KeepEpochs, LogEvery, Threads, MaxSteps, Name, Out, Resume, Force })
            command.Options.Add(o);
    }

    public TrainOptions Build(ParseResult p, int? cropSize = null) => new TrainOptions
    {
        Epochs = p.GetValue(Epochs),
        BatchSize = p.GetValue(Batch),
        LearningRate = p.GetValue(Lr),
        WarmupSteps = p.GetValue(Warmup),
        Seed = p.GetValue(Seed),
        CropSize = cropSize,
        CheckpointEvery = p.GetValue(CheckpointEvery),
        KeepEpochCheckpoints = p.GetValue(KeepEpochs),
        LogEvery = p.GetValue(LogEvery),
        Threads = p.GetValue(Threads),
        MaxSteps = p.GetValue(MaxSteps),
        Name = p.GetValue(Name) ?? Path.GetFileNameWithoutExtension(p.GetValue(Out)!),
    }.Validate();

    /// <summary>Checks --resume / --force against existing outputs; clears them for a fresh start. Returns whether to resume.</summary>
    public bool PrepareOutput(ParseResult p)
    {
        var outPath = p.GetValue(Out)!;
        var checkpoint = Checkpoint.PathFor(outPath);
        bool resuming = p.GetValue(Resume);
        if (resuming && !File.Exists(checkpoint)) throw new UsageException($"--resume: no checkpoint at {checkpoint}");
        if (!resuming && (File.Exists(outPath) || File.Exists(checkpoint)))
        {
            if (!p.GetValue(Force)) throw new Models.Files.OutputFileException(File.Exists(outPath) ? outPath : checkpoint, "exists; use --force to overwrite it");
            File.Delete(checkpoint);
            File.Delete(outPath + ".log.jsonl");
        }
        return resuming;
    }
}
