namespace VqVae.Codec.Models.Training;

/// <summary>One report of a running training, for progress bars and logs (no console I/O in the library).</summary>
/// <param name="Step">Optimiser steps done.</param>
/// <param name="TotalSteps">Steps of the whole run.</param>
/// <param name="Epoch">Current epoch, from 1.</param>
/// <param name="Epochs">Epochs of the run.</param>
/// <param name="Terms">Named loss terms and metrics of the last step (loss, recon, commitment, vq, perplexity, batchCodes, lambda, restarts, activeCodes, deadCodes).</param>
/// <param name="ImagesPerSecond">Throughput since the run (or resume) started.</param>
/// <param name="Elapsed">Wall time since the run (or resume) started.</param>
public sealed record TrainingProgress(
    long Step, long TotalSteps, int Epoch, int Epochs, IReadOnlyDictionary<string, double> Terms,
    double ImagesPerSecond, TimeSpan Elapsed)
{
    /// <summary>Estimated time to the end at the current throughput.</summary>
    public TimeSpan Remaining => Step == 0 ? TimeSpan.Zero : Elapsed / Math.Max(1, StepsThisSession) * (TotalSteps - Step);

    /// <summary>Steps done since this process started (for the ETA of a resumed run).</summary>
    public long StepsThisSession { get; init; }
}
