namespace VqVae.Codec.Models.Training;

/// <summary>Options of a training run (either stage). Every default is here; the command line overrides.</summary>
public sealed record TrainOptions
{
    /// <summary>Passes over the training set. The thesis trains 20 to 30 epochs.</summary>
    public int Epochs { get; init; } = 30;

    /// <summary>Images (or code grids) per step.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Adam's learning rate; 1e-3 as in thesis chapter 6.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>
    /// Steps over which the learning rate rises linearly from 0 to <see cref="LearningRate"/>. With the full
    /// rate from step 1, the straight-through gradient drives the encoder's latents far from the codebook
    /// in the first few dozen steps (latent RMS 0.05 to 26 in 30 steps, measured) and the codebook never
    /// catches up; a warm-up keeps them together (docs/training-notes.md).
    /// </summary>
    public int WarmupSteps { get; init; } = 500;

    /// <summary>The learning rate at step <paramref name="step"/> (0-based): linear warm-up, then constant.</summary>
    public double LearningRateAt(long step) => WarmupSteps <= 0 ? LearningRate : LearningRate * Math.Min(1.0, (step + 1.0) / WarmupSteps);

    /// <summary>Seed of initialisation, shuffling, cropping and sampling.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Side of random square crops; null trains on full images (they must share one size).</summary>
    public int? CropSize { get; init; }

    /// <summary>Write a checkpoint every this many steps (and at the end of each epoch, and on Ctrl-C).</summary>
    public int CheckpointEvery { get; init; } = 500;

    /// <summary>Also keep a numbered copy of the checkpoint at the end of every epoch (for bpd-against-checkpoint studies).</summary>
    public bool KeepEpochCheckpoints { get; init; }

    /// <summary>Append a line to the JSON-lines log every this many steps.</summary>
    public int LogEvery { get; init; } = 50;

    /// <summary>TorchSharp intra-op threads; 0 uses every core.</summary>
    public int Threads { get; init; }

    /// <summary>Stop after this many steps in all (for benchmarks and smoke runs); null runs all epochs.</summary>
    public int? MaxSteps { get; init; }

    /// <summary>
    /// Convergence stop: after an epoch, stop when the held-out error (the stage's <see cref="ITrainingStage{T}.ConvergenceMetric"/>,
    /// for Stage 1 the normalised reconstruction error) fell by less than this fraction of its value after the
    /// previous epoch, once <see cref="MinEpochs"/> are done. Null (the default) never stops early;
    /// <see cref="Epochs"/> stays the upper bound. Needs held-out data.
    /// </summary>
    public double? Plateau { get; init; }

    /// <summary>
    /// Epochs always run before <see cref="Plateau"/> may stop training. 10 by default, as issue 15 asks: the
    /// first epochs of a run without warm-up or restarts can stall before they improve again.
    /// </summary>
    public int MinEpochs { get; init; } = 10;

    /// <summary>The name recorded in the model file.</summary>
    public string Name { get; init; } = "vqvae";

    /// <summary>Throws when a field is out of range.</summary>
    public TrainOptions Validate()
    {
        if (Epochs < 1) throw new InvalidOptionsException("--epochs must be >= 1");
        if (BatchSize < 1) throw new InvalidOptionsException("--batch must be >= 1");
        if (LearningRate <= 0) throw new InvalidOptionsException("--lr must be > 0");
        if (WarmupSteps < 0) throw new InvalidOptionsException("--warmup must be >= 0");
        if (CropSize is < 8) throw new InvalidOptionsException("--crop must be >= 8");
        if (CheckpointEvery < 1 || LogEvery < 1) throw new InvalidOptionsException("checkpoint and log intervals must be >= 1");
        if (Threads < 0) throw new InvalidOptionsException("--threads must be >= 0");
        if (Plateau is double f && !(f > 0 && f < 1)) throw new InvalidOptionsException("--plateau must be a fraction in (0, 1), e.g. 0.01 for 1 %");
        if (MinEpochs < 1) throw new InvalidOptionsException("--min-epochs must be >= 1");
        return this;
    }
}
