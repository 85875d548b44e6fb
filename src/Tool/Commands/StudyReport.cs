using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ScottPlot;

namespace VqVae.Codec.Tool.Commands;

/// <summary>
/// The quantizer study of experiments/quantizer-study.sh in `vqz report`: per setting, one row per
/// configuration with the mean ± sample standard deviation over its finished seeds, and a plot of the
/// codes used and dead over training. Folders: &lt;root&gt;/&lt;setting&gt;/&lt;config&gt;-s&lt;seed&gt;/. Only finished runs
/// (vqvae.json, prior.json and codec.json present, no FAILED, no NaN in the log) enter a mean; the others are
/// named in the status column, so a partial study shows what is missing instead of a number.
/// </summary>
internal static partial class StudyReport
{
    [GeneratedRegex(@"^(?<config>.+)-s(?<seed>\d+)$")]
    private static partial Regex RunName();

    /// <summary>What one run's files say; null where a file or figure is missing.</summary>
    internal sealed record RunFigures(string Config, int Seed, string Status)
    {
        public bool Finished => Status == "ok";
        public int? Epochs { get; init; }
        public string? StopReason { get; init; }
        public double? NRecon { get; init; }
        public double? Psnr { get; init; }
        /// <summary>Mean of the per-batch perplexity (the reference notebook's definition) over the last epoch's log lines.</summary>
        public double? BatchPerplexity { get; init; }
        /// <summary>Perplexity over test-1000 (one histogram of all codes).</summary>
        public double? Perplexity { get; init; }
        public double? CodesUsed { get; init; }
        /// <summary>Codes used in the last log window of training (the last "activeCodes").</summary>
        public double? ActiveCodes { get; init; }
        /// <summary>Codes unused for a whole epoch at the end of training (the last "deadCodes").</summary>
        public double? DeadCodes { get; init; }
        public double? GatedBits { get; init; }
        public double? Bpp { get; init; }
        public double? CodecPsnr { get; init; }
        /// <summary>Per logged step: (step, codes used in the log window, dead codes), for the plot.</summary>
        public IReadOnlyList<(double Step, double Active, double Dead)> CodeCurve { get; init; } = [];
    }

    /// <summary>Mean, sample standard deviation (n − 1; 0 for one value) and count.</summary>
    internal sealed record Stat(double Mean, double Std, int N)
    {
        public static Stat? Of(IEnumerable<double?> values)
        {
            var v = values.Where(x => x is double d && double.IsFinite(d)).Select(x => x!.Value).ToList();
            if (v.Count == 0) return null;
            double mean = v.Average();
            double std = v.Count < 2 ? 0 : Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1));
            return new Stat(mean, std, v.Count);
        }

        /// <summary>"m ± s" over two or more seeds, "m" for one.</summary>
        public string Format(string format, double scale = 1) =>
            N < 2 ? (Mean * scale).ToString(format, CultureInfo.InvariantCulture)
                  : $"{(Mean * scale).ToString(format, CultureInfo.InvariantCulture)} ± {(Std * scale).ToString(format, CultureInfo.InvariantCulture)}";
    }

    /// <summary>The runs of one setting, by configuration (in name order) and seed.</summary>
    internal static IReadOnlyList<RunFigures> Runs(string settingDir) =>
        !Directory.Exists(settingDir) ? [] :
        Directory.EnumerateDirectories(settingDir)
            .Where(d => Directory.EnumerateFileSystemEntries(d).Any())
            .Select(d => (dir: d, match: RunName().Match(Path.GetFileName(d))))
            .Where(x => x.match.Success)
            .Select(x => Read(x.dir, x.match.Groups["config"].Value, int.Parse(x.match.Groups["seed"].Value, CultureInfo.InvariantCulture)))
            .OrderBy(r => r.Config, StringComparer.Ordinal).ThenBy(r => r.Seed)
            .ToList();

    internal static RunFigures Read(string dir, string config, int seed)
    {
        var name = Path.GetFileName(dir);
        JsonObject? Maybe(string file) => File.Exists(Path.Combine(dir, file)) ? JsonNode.Parse(File.ReadAllText(Path.Combine(dir, file))) as JsonObject : null;
        var vqvae = Maybe("vqvae.json");
        var prior = Maybe("prior.json");
        var codec = Maybe("codec.json");
        var log = Path.Combine(dir, name + ".vqm.log.jsonl");
        var lines = VqVae.Codec.Models.Training.TrainingLog.Read(log).ToList();
        var steps = lines.Where(n => (string?)n["type"] == "step").ToList();
        var evals = lines.Where(n => (string?)n["type"] == "eval").ToList();
        bool nan = steps.Any(s => s["loss"] is null);                                    // the log writes non-finite values as null
        var failed = Path.Combine(dir, "FAILED");
        string status = File.Exists(failed) ? $"failed ({File.ReadLines(failed).FirstOrDefault()?.Trim()})"
            : nan ? "NaN in the log"
            : steps.Count == 0 && evals.Count == 0 ? "not run"
            : !File.Exists(Path.Combine(dir, name + ".vqm")) ? "training not finished"
            : vqvae is null || prior is null || codec is null ? "evaluation not finished"
            : "ok";
        int? lastEpoch = steps.Select(s => (int?)s["epoch"]).Max();
        var lastEpochSteps = steps.Where(s => (int?)s["epoch"] == lastEpoch).ToList();
        var vqzPoint = codec?["points"]?.AsArray().FirstOrDefault(x => (string?)x!["codec"] == "vqz");
        return new RunFigures(config, seed, status)
        {
            Epochs = evals.Select(e => (int?)e["epoch"]).Max() ?? lastEpoch,
            StopReason = (string?)lines.LastOrDefault(n => (string?)n["type"] == "stop")?["reason"],
            NRecon = (double?)vqvae?["normalizedError"],
            Psnr = (double?)vqvae?["psnr"],
            BatchPerplexity = lastEpochSteps.Count == 0 ? null : Stat.Of(lastEpochSteps.Select(s => (double?)s["perplexity"]))?.Mean,
            Perplexity = (double?)vqvae?["perplexity"],
            CodesUsed = (double?)vqvae?["codesUsed"],
            ActiveCodes = (double?)steps.LastOrDefault(s => s["activeCodes"] is not null)?["activeCodes"],
            DeadCodes = (double?)steps.LastOrDefault(s => s["deadCodes"] is not null)?["deadCodes"],
            GatedBits = (double?)prior?["rows"]?.AsArray().FirstOrDefault(r => (string?)r!["kind"] == "gated-pixelcnn")?["bitsPerCode"],
            Bpp = (double?)vqzPoint?["bpp"],
            CodecPsnr = (double?)vqzPoint?["psnr"],
            CodeCurve = steps.Where(n => n["activeCodes"] is not null && n["deadCodes"] is not null)
                .Select(n => ((double)n["step"]!, (double)n["activeCodes"]!, (double)n["deadCodes"]!)).ToList(),
        };
    }

    private static string NotRun(string settingDir) =>
        $"_Not yet run: no finished runs under `{settingDir}` (experiments/quantizer-study.sh; `--list` shows the plan)._";

    /// <summary>The table of one setting: mean ± standard deviation over the finished seeds of each configuration.</summary>
    public static string Table(string root, string setting)
    {
        var dir = Path.Combine(root, setting);
        var runs = Runs(dir);
        if (!runs.Any(r => r.Finished)) return NotRun(dir) + (runs.Count == 0 ? "" : $" Started: {string.Join(", ", runs.Select(r => $"{r.Config}-s{r.Seed} ({r.Status})"))}.");
        static string C(Stat? s, string format, double scale = 1) => s?.Format(format, scale) ?? "-";
        var sb = new StringBuilder();
        sb.AppendLine("| configuration | seeds | epochs | nrecon | PSNR (dB) | perplexity per batch (last epoch) | perplexity test-1000 | codes used test-1000 | " +
                      "codes used, last 50 steps | dead codes (idle ≥ 1 epoch) | bits/code gated PixelCNN | codec bpp | codec PSNR (dB) | status |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var group in runs.GroupBy(r => r.Config))
        {
            var done = group.Where(r => r.Finished).ToList();
            Stat? S(Func<RunFigures, double?> f) => Stat.Of(done.Select(f));
            var others = group.Where(r => !r.Finished).Select(r => $"s{r.Seed} {r.Status}").ToList();
            var stops = done.GroupBy(r => r.StopReason ?? "?").Select(g => $"{g.Count()} × {g.Key}");
            var status = string.Join("; ", new[] { done.Count == 0 ? "" : $"stopped: {string.Join(", ", stops)}" }.Concat(others).Where(s => s.Length > 0));
            sb.AppendLine($"| {group.Key} | {done.Count} | {C(S(r => r.Epochs), "F1")} | {C(S(r => r.NRecon), "F4")} | {C(S(r => r.Psnr), "F2")} | " +
                          $"{C(S(r => r.BatchPerplexity), "F1")} | {C(S(r => r.Perplexity), "F1")} | {(S(r => r.CodesUsed) is { } used ? used.Format("F1", 100) + " %" : "-")} | " +
                          $"{C(S(r => r.ActiveCodes), "F1")} | {C(S(r => r.DeadCodes), "F1")} | {C(S(r => r.GatedBits), "F3")} | " +
                          $"{C(S(r => r.Bpp), "F4")} | {C(S(r => r.CodecPsnr), "F2")} | {status} |");
        }
        return sb.ToString().TrimEnd();
    }

    /// <summary>
    /// Codes used in the last log window (solid) and dead codes (dashed) against the step, one colour per
    /// configuration, from its lowest seed's log; null when no run has logged them yet.
    /// </summary>
    public static byte[]? CodesPlot(string root, string setting)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int series = 0;
        foreach (var group in Runs(Path.Combine(root, setting)).GroupBy(r => r.Config))
        {
            var first = group.First();
            var curve = first.CodeCurve;
            if (curve.Count == 0) continue;
            var x = curve.Select(c => c.Step).ToArray();
            var colour = palette.GetColor(series++);
            var used = plot.Add.ScatterLine(x, curve.Select(c => c.Active).ToArray());
            used.LegendText = $"{first.Config} s{first.Seed}: used";
            used.Color = colour;
            var dead = plot.Add.ScatterLine(x, curve.Select(c => c.Dead).ToArray());
            dead.LegendText = $"{first.Config} s{first.Seed}: dead";
            dead.Color = colour;
            dead.LinePattern = LinePattern.Dashed;
        }
        if (series == 0) return null;
        plot.Title($"Codes used (last 50 steps, solid) and dead (idle for an epoch, dashed), setting '{setting}'");
        plot.XLabel("step (batch of 128)");
        plot.YLabel("codes of 512");
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(1100, 700, ImageFormat.Png);
    }

    /// <summary>The Markdown of the plot marker: an image link, or the not-yet-run line.</summary>
    public static string Figure(string root, string setting, Func<string, string, byte[], string> write) =>
        CodesPlot(root, setting) is { } png
            ? write($"study-{setting}-codes.png", $"Codes used and dead codes during training, setting {setting}", png)
            : NotRun(Path.Combine(root, setting));
}
