using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ScottPlot;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Tool.Plotting;
using VqVae.Codec.Tool.Terminal;

namespace VqVae.Codec.Tool.Commands;

/// <summary>
/// `vqz report`: fills a hand-written Markdown template with tables and figures made from evaluation
/// JSON and training logs, so the prose stays written by people and every number comes from a run.
/// Markers: {{quantizers}} (the quantizer study under --runs), {{quantizers-figure}}, {{codec:FILE}} (an
/// `eval codec --json` file as a table), {{bd:FILE}} (its BD-rates), {{rd:FILE}} (its rate-distortion plot),
/// {{prior:FILE}} (an `eval prior --json` file), {{vqvae:FILE}} (an `eval vqvae --json` file),
/// {{codecs:LABEL=FILE,LABEL=FILE,...}} (the vqz rows of several `eval codec --json` files, one table),
/// {{study:SETTING}} and {{study-figure:SETTING}} (experiments/quantizer-study.sh under --study: <see cref="StudyReport"/>).
/// </summary>
internal static partial class ReportCommand
{
    [GeneratedRegex(@"\{\{([a-z-]+)(?::([^}]+))?\}\}")]
    private static partial Regex Marker();

    private static string F(double? v, string format) => v is double d && double.IsFinite(d) ? d.ToString(format, CultureInfo.InvariantCulture) : "-";

    public static Command Create()
    {
        var template = new Option<string>("--template") { Description = "Markdown template with {{markers}}.", DefaultValueFactory = _ => "experiments/experiments.template.md" };
        var runs = new Option<string>("--runs") { Description = "Folder of the quantizer study (one folder per run).", DefaultValueFactory = _ => "runs/experiments" };
        var study = new Option<string>("--study") { Description = "Folder of the convergence study (experiments/quantizer-study.sh: <setting>/<config>-s<seed>).", DefaultValueFactory = _ => "runs/study" };
        var output = new Option<string>("--output", "-o") { Description = "Markdown to write.", DefaultValueFactory = _ => "docs/experiments.md" };
        var figures = new Option<string>("--figures") { Description = "Folder for the PNG figures (relative links are made from the output).", DefaultValueFactory = _ => "docs/figures" };
        var command = new Command("report", "Fill a Markdown template with tables and plots from evaluation files and training logs.");
        foreach (var o in new Option[] { template, runs, study, output, figures }) command.Options.Add(o);
        command.SetAction((p, cancel) =>
        {
            var console = ToolConsole.For(p);
            var outPath = p.GetValue(output)!;
            var figureDir = p.GetValue(figures)!;
            Directory.CreateDirectory(figureDir);
            var relative = Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(outPath))!, Path.GetFullPath(figureDir)).Replace('\\', '/');
            var text = File.ReadAllText(p.GetValue(template)!);
            var filled = Marker().Replace(text, m =>
            {
                var arg = m.Groups[2].Success ? m.Groups[2].Value : null;
                return m.Groups[1].Value switch
                {
                    "quantizers" => QuantizerTable(p.GetValue(runs)!),
                    "quantizers-figure" => Figure(figureDir, relative, "quantizers-recon.png", "Reconstruction loss during training", QuantizerCurves(p.GetValue(runs)!)),
                    "study" => StudyReport.Table(p.GetValue(study)!, arg ?? throw new UsageException("{{study:SETTING}} needs a setting, e.g. {{study:thesis}}")),
                    "study-figure" => StudyReport.Figure(p.GetValue(study)!, arg ?? throw new UsageException("{{study-figure:SETTING}} needs a setting"),
                        (name, alt, png) => Figure(figureDir, relative, name, alt, png)),
                    "codec" => CodecTable(Read(arg!)),
                    "codecs" => CodecsTable(arg!),
                    "bd" => BdTable(Read(arg!)),
                    "rd" => Figure(figureDir, relative, Path.GetFileNameWithoutExtension(arg!) + "-rd.png", "Rate-distortion",
                        RateDistortionPlot.Render(Read(arg!), "psnr", Path.GetFileNameWithoutExtension(arg!), 900, 600)),
                    "prior" => PriorTable(Read(arg!)),
                    "vqvae" => VqVaeLine(Read(arg!)),
                    var other => throw new UsageException($"unknown marker {{{{{other}}}}} in the template"),
                };
            });
            AtomicFile.Write(outPath, Encoding.UTF8.GetBytes(filled));
            console.Out.WriteLine($"wrote {outPath}");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static JsonObject Read(string path) =>
        JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InputFormatException($"{path} is not a JSON object");

    private static string Figure(string dir, string relative, string name, string alt, byte[] png)
    {
        AtomicFile.Write(Path.Combine(dir, name), png);
        return $"![{alt}]({relative}/{name})";
    }

    /// <summary>The run folders under <paramref name="root"/> in name order; empty folders (a driver's locks) are not runs.</summary>
    private static IEnumerable<string> RunDirectories(string root) =>
        Directory.Exists(root)
            ? Directory.EnumerateDirectories(root).Where(d => Directory.EnumerateFileSystemEntries(d).Any()).Order(StringComparer.Ordinal)
            : [];

    private static string QuantizerTable(string root)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| run | epochs | steps | nrecon | PSNR (dB) | perplexity | codes used | bits/code unigram | bits/code gated PixelCNN | codec bpp | codec PSNR (dB) | status |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var dir in RunDirectories(root))
        {
            var name = Path.GetFileName(dir);
            JsonObject? Maybe(string file) => File.Exists(Path.Combine(dir, file)) ? Read(Path.Combine(dir, file)) : null;
            var vqvae = Maybe("vqvae.json");
            var prior = Maybe("prior.json");
            var codec = Maybe("codec.json");
            var log = Path.Combine(dir, name + ".vqm.log.jsonl");
            var steps = VqVae.Codec.Models.Training.TrainingLog.Read(log).Where(n => (string?)n["type"] == "step").ToList();
            bool nan = steps.Any(s => s["loss"] is null || !double.IsFinite((double)s["loss"]!));   // the log writes non-finite values as null
            var failed = Path.Combine(dir, "FAILED");                                                     // written by experiments/quantizers.sh
            var status = File.Exists(failed) ? $"failed ({File.ReadLines(failed).FirstOrDefault()?.Trim()})" : steps.Count == 0 ? "not run" : nan ? "NaN in the log"
                : !File.Exists(Path.Combine(dir, name + ".vqm")) ? "training not finished" : "ok";
            double? Bits(string kind) => (double?)prior?["rows"]?.AsArray().FirstOrDefault(r => (string?)r!["kind"] == kind)?["bitsPerCode"];
            var vqzPoint = codec?["points"]?.AsArray().FirstOrDefault(x => (string?)x!["codec"] == "vqz");
            sb.AppendLine($"| {name} | {steps.Select(s => (int?)s["epoch"]).Max()} | {steps.Select(s => (long?)s["step"]).Max()} | {F((double?)vqvae?["normalizedError"], "F4")} | " +
                          $"{F((double?)vqvae?["psnr"], "F2")} | {F((double?)vqvae?["perplexity"], "F1")} | {F((double?)vqvae?["codesUsed"] * 100, "F1")} % | " +
                          $"{F(Bits("unigram"), "F3")} | {F(Bits("gated-pixelcnn"), "F3")} | {F((double?)vqzPoint?["bpp"], "F4")} | {F((double?)vqzPoint?["psnr"], "F2")} | {status} |");
        }
        return sb.ToString().TrimEnd();
    }

    private static byte[] QuantizerCurves(string root)
    {
        var plot = new Plot();
        foreach (var dir in RunDirectories(root))
        {
            var name = Path.GetFileName(dir);
            var log = Path.Combine(dir, name + ".vqm.log.jsonl");
            if (!File.Exists(log)) continue;
            var points = VqVae.Codec.Models.Training.TrainingLog.Read(log).Where(n => (string?)n["type"] == "step" && n["recon"] is not null)
                .Select(n => ((double)n["step"]!, (double)n["recon"]!)).ToList();
            if (points.Count == 0) continue;
            var line = plot.Add.ScatterLine(points.Select(x => x.Item1).ToArray(), points.Select(x => x.Item2).ToArray());
            line.LegendText = name;
        }
        plot.Axes.SetLimitsY(0, 0.5);
        plot.Title("Reconstruction loss (MSE / data variance) during training, CIFAR-10 train");
        plot.XLabel("step (batch of 128)");
        plot.YLabel("recon");
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(1000, 650, ImageFormat.Png);
    }

    private static string CodecTable(JsonObject e)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{(int?)e["images"]} images of `{(string?)e["data"]}`{((int?)e["perFolder"] is int pf ? $" (first {pf} per folder)" : "")}.");
        sb.AppendLine();
        sb.AppendLine("| codec | setting | bpp | PSNR (dB) | MS-SSIM | encode (ms/image) | decode (ms/image) |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var point in e["points"]!.AsArray())
            sb.AppendLine($"| {(string?)point!["codec"]} | {(string?)point["setting"]} | {PointCells(point)}");
        return sb.ToString().TrimEnd();
    }

    /// <summary>The measured cells of a codec point: bpp, PSNR, MS-SSIM, encode and decode ms per image.</summary>
    private static string PointCells(JsonNode point) =>
        $"{F((double?)point["bpp"], "F4")} | {F((double?)point["psnr"], "F2")} | {F((double?)point["msssim"], "F4")} | " +
        $"{F((double?)point["encodeMs"], "F1")} | {F((double?)point["decodeMs"], "F1")} |";

    /// <summary>One row per vqz point of each labelled file: models or settings side by side.</summary>
    private static string CodecsTable(string list)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| run | preset | images | bpp | PSNR (dB) | MS-SSIM | encode (ms/image) | decode (ms/image) |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var item in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var at = item.IndexOf('=');
            if (at <= 0) throw new UsageException($"{{{{codecs:...}}}} needs LABEL=FILE items, not '{item}'");
            var e = Read(item[(at + 1)..]);
            foreach (var point in e["points"]!.AsArray().Where(x => (string?)x!["codec"] == "vqz"))
                sb.AppendLine($"| {item[..at]} | {(string?)point!["setting"]} | {(int?)e["images"]} | {PointCells(point)}");
        }
        return sb.ToString().TrimEnd();
    }

    private static string BdTable(JsonObject e)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| vqz against | metric | BD-rate | over | note |");
        sb.AppendLine("|---|---|---:|---|---|");
        foreach (var b in e["bdRate"]!.AsArray())
            sb.AppendLine($"| {(string?)b!["anchor"]} | {(string?)b["metric"]} | {((double?)b["percent"] is double v ? $"{v:+0.0;-0.0} %" : "-")} | " +
                          $"{F((double?)b["from"], "F2")} to {F((double?)b["to"], "F2")} | {(string?)b["reason"] ?? ""} |");
        return sb.ToString().TrimEnd();
    }

    private static string PriorTable(JsonObject e)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{(int?)e["rows"]?.AsArray().FirstOrDefault()?["grids"]} code grids of `{(string?)e["data"]}` from VQ-VAE `{(string?)e["vqvae"]}`; " +
                      "ideal = mean -log2 p, coded = the range coder's actual size.");
        sb.AppendLine();
        sb.AppendLine("| prior | kind | bits/code | bits/dim | coded bits/code | coded / ideal |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|");
        foreach (var r in e["rows"]!.AsArray())
            sb.AppendLine($"| {(string?)r!["prior"]} | {(string?)r["kind"]} | {F((double?)r["bitsPerCode"], "F4")} | {F((double?)r["bitsPerDimension"], "F4")} | " +
                          $"{F((double?)r["codedBitsPerCode"], "F4")} | {F((double?)r["codedOverIdeal"], "F4")} |");
        return sb.ToString().TrimEnd();
    }

    private static string VqVaeLine(JsonObject e) =>
        $"{(int?)e["images"]} images: MSE {F((double?)e["mse"], "F5")}, normalised reconstruction error {F((double?)e["normalizedError"], "F4")}, " +
        $"PSNR {F((double?)e["psnr"], "F2")} dB, perplexity {F((double?)e["perplexity"], "F1")}, codes used {F((double?)e["codesUsed"] * 100, "F1")} %, " +
        $"unigram entropy {F((double?)e["unigramBits"], "F3")} bits/code";
}
