using System.Text.Json.Nodes;

namespace VqVae.Codec.Models.Training;

/// <summary>
/// The plateau rule of <see cref="TrainOptions.Plateau"/>: after epoch n (at least <see cref="TrainOptions.MinEpochs"/>),
/// stop when the held-out error improved by less than the fraction f over the epoch,
/// (E[n-1] − E[n]) / E[n-1] &lt; f. An error that rose counts as no improvement.
/// </summary>
public static class ConvergenceStop
{
    /// <summary>The reason recorded in the log and the checkpoint when the rule stops a run.</summary>
    public const string PlateauReason = "plateau";

    /// <summary>(previous − current) / previous: the fraction by which the error fell over the epoch.</summary>
    public static double Improvement(double previous, double current) => (previous - current) / previous;

    /// <summary>Whether the rule stops after <paramref name="epochsDone"/> epochs; false without a previous error.</summary>
    public static bool ShouldStop(TrainOptions options, int epochsDone, double? previous, double current) =>
        options.Plateau is double f && epochsDone >= options.MinEpochs && previous is double p && Improvement(p, current) < f;

    /// <summary>
    /// The held-out error after epoch <paramref name="epoch"/> as the log recorded it (the last "eval" line of that
    /// epoch that has <paramref name="metric"/>), for checkpoints written before they carried it; null if none.
    /// </summary>
    public static double? FromLog(string logPath, int epoch, string metric) =>
        TrainingLog.Read(logPath)
            .Where(n => (string?)n["type"] == "eval" && (int?)n["epoch"] == epoch && n[metric] is JsonValue v && v.TryGetValue<double>(out _))
            .Select(n => (double?)n[metric]!.GetValue<double>())
            .LastOrDefault();
}
