using System.Text.Json;
using System.Text.Json.Nodes;
using ScottPlot;

namespace VqVae.Codec.Tool.Plotting;

/// <summary>Rate-distortion curves from `vqz eval codec --json`: quality against bpp, one curve per codec.</summary>
internal static class RateDistortionPlot
{
    /// <summary>The metrics it plots: JSON field and axis label.</summary>
    public static readonly IReadOnlyDictionary<string, (string Field, string Label)> Metrics = new Dictionary<string, (string, string)>
    {
        ["psnr"] = ("psnr", "PSNR (dB, 8-bit RGB)"),
        ["msssim"] = ("msssim", "MS-SSIM (RGB)"),
        ["msssim-db"] = ("msssimDb", "MS-SSIM (dB: -10 log10(1 - MS-SSIM))"),
    };

    /// <summary>One colour per codec, the same in every plot.</summary>
    private static readonly IReadOnlyDictionary<string, Color> Colours = new Dictionary<string, Color>
    {
        ["vqz"] = Color.FromHex("#d62728"),
        ["jpeg"] = Color.FromHex("#1f77b4"),
        ["webp"] = Color.FromHex("#ff7f0e"),
        ["avif"] = Color.FromHex("#2ca02c"),
    };

    /// <summary>The PNG of <paramref name="metric"/> (psnr by default) against bpp for every codec of the evaluation.</summary>
    public static byte[] Render(JsonObject evaluation, string? metric, string title, int width, int height)
    {
        metric ??= "psnr";
        if (!Metrics.TryGetValue(metric, out var m))
            throw new UsageException($"--metric {metric}: an evaluation plots {string.Join(", ", Metrics.Keys)}");
        var points = (evaluation["points"] as JsonArray ?? throw new InputFormatException("the evaluation has no \"points\""))
            .OfType<JsonObject>()
            .Where(p => p["bpp"]?.GetValueKind() == JsonValueKind.Number && p[m.Field]?.GetValueKind() == JsonValueKind.Number)
            .Select(p => (Codec: (string?)p["codec"] ?? "?", Setting: (string?)p["setting"] ?? "", Bpp: (double)p["bpp"]!, Value: (double)p[m.Field]!))
            .ToList();
        if (points.Count == 0) throw new InputFormatException($"the evaluation has no point with a {metric} value");

        var plot = new Plot();
        foreach (var codec in points.GroupBy(p => p.Codec))
        {
            // In sweep order (rising quality), which the JSON keeps: sorting by bpp would zigzag where a setting costs less than a lower one.
            var series = plot.Add.Scatter(codec.Select(p => p.Bpp).ToArray(), codec.Select(p => p.Value).ToArray());
            series.LegendText = codec.Key;
            if (Colours.TryGetValue(codec.Key, out var colour)) series.Color = colour;
            series.MarkerSize = codec.Key == "vqz" ? 9 : 5;
            series.LineWidth = codec.Key == "vqz" ? 2.5f : 1.5f;
            if (codec.Key == "vqz")
                foreach (var (p, i) in codec.Select((p, i) => (p, i)))
                {
                    var label = plot.Add.Text(p.Setting, p.Bpp, p.Value);
                    label.LabelFontSize = 12;
                    label.LabelFontColor = series.Color;
                    label.OffsetX = 6;
                    label.OffsetY = i % 2 == 0 ? -18 : 4;   // alternate above and below: neighbouring presets can be close
                }
        }
        plot.Title(title);
        plot.XLabel("bits per pixel (file size)");
        plot.YLabel(m.Label);
        plot.ShowLegend(Alignment.LowerRight);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }
}
