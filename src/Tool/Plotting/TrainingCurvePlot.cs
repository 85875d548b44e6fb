using System.Text.Json;
using System.Text.Json.Nodes;
using ScottPlot;

namespace VqVae.Codec.Tool.Plotting;

/// <summary>A training curve: one metric of a training log against the step, training records and evaluations as two series.</summary>
internal static class TrainingCurvePlot
{
    /// <summary>Metrics tried, in order, when none is asked for: the VQ-VAE's reconstruction loss, the prior's bits per code.</summary>
    public static readonly IReadOnlyList<string> DefaultMetrics = ["recon", "bitsPerCode", "loss"];

    private static readonly HashSet<string> NotMetrics = ["type", "time", "step", "epoch"];

    /// <summary>Every numeric field of the step and eval records, in first-seen order (a "stop" record's settings are not metrics).</summary>
    public static IReadOnlyList<string> Metrics(IReadOnlyList<JsonObject> records) =>
        records.Where(r => (string?)r["type"] is "step" or "eval").SelectMany(r => r.Where(kv => !NotMetrics.Contains(kv.Key) && kv.Value?.GetValueKind() == JsonValueKind.Number).Select(kv => kv.Key))
            .Distinct().ToList();

    /// <summary>The PNG of <paramref name="metric"/> (or the default) against the step.</summary>
    public static byte[] Render(IReadOnlyList<JsonObject> records, string? metric, string title, int width, int height)
    {
        var available = Metrics(records);
        metric ??= DefaultMetrics.FirstOrDefault(available.Contains)
                   ?? throw new InputFormatException("the training log has no recon, bitsPerCode or loss values; choose one with --metric");
        if (!available.Contains(metric))
            throw new UsageException($"--metric {metric}: the training log has {(available.Count == 0 ? "no metrics" : string.Join(", ", available))}");

        var plot = new Plot();
        foreach (var (type, label) in new[] { ("step", "training"), ("eval", "evaluation") })
        {
            var points = records
                .Where(r => (string?)r["type"] == type && r["step"]?.GetValueKind() == JsonValueKind.Number && r[metric]?.GetValueKind() == JsonValueKind.Number)
                .Select(r => ((double)r["step"]!, (double)r[metric]!))
                .ToList();
            if (points.Count == 0) continue;
            var series = plot.Add.Scatter(points.Select(p => p.Item1).ToArray(), points.Select(p => p.Item2).ToArray());
            series.LegendText = $"{metric} ({label})";
            series.MarkerSize = type == "eval" ? 7 : 0;
            series.LineWidth = type == "eval" ? 1.5f : 1;
        }
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel(metric);
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }
}
