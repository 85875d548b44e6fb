using System.CommandLine;
using System.Diagnostics;
using System.Text;
using Microsoft.FSharp.Core;
using Spectre.Console;
using VqVae.Codec.Format;
using VqVae.Codec.Models.Data;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Pipeline;
using VqVae.Codec.Tool.Evaluation;
using VqVae.Codec.Tool.Terminal;

namespace VqVae.Codec.Tool.Commands;

/// <summary>
/// `vqz eval codec`: the vqz presets and the installed standard codecs (JPEG, WebP, AVIF) on the same
/// images: true bpp, PSNR, MS-SSIM, encode and decode times per image and on average, and the BD-rate of
/// the vqz curve against each standard codec (docs/evaluation.md).
/// </summary>
internal static class EvalCodecCommand
{
    /// <summary>What to run, from the command line.</summary>
    internal sealed record Plan(IReadOnlyList<Quality> Qualities, IReadOnlyList<(StandardCodec Codec, IReadOnlyList<int> Sweep)> Standards, IReadOnlyList<SkippedCodec> Skipped);

    public static Command Create()
    {
        var data = new DataOptions("", "Images to code: an image, a folder or a .tar (CIFAR-10 test.tar with --per-folder 100 is test-1000).", required: true);
        var quality = new Option<string?>("--quality", "-q") { Description = "vqz presets, comma-separated (low,medium,high,max); default: every quality that has a preset; none: only the standard codecs." };
        var standard = new Option<string?>("--standard") { Description = "Standard codecs, comma-separated (jpeg,webp,avif); default: those installed; none: only vqz." };
        var jpegSweep = new Option<string?>("--jpeg-quality") { Description = "cjpeg -quality sweep (default 5,10,20,...,90; no 75, see docs/evaluation.md)." };
        var webpSweep = new Option<string?>("--webp-quality") { Description = "cwebp -q sweep (default 0,2,5,10,20,...,90)." };
        var avifSweep = new Option<string?>("--avif-quantizer") { Description = "avifenc --min/--max quantizer sweep, 0..63 (default 63,60,55,50,45,40,35,30,20,10)." };
        var bdMethod = new Option<string>("--bd-method") { Description = "BD-rate fit: pchip (piecewise cubic, 2+ points) or cubic (VCEG-M33 polynomial, 4+ points).", DefaultValueFactory = _ => "pchip" };
        bdMethod.AcceptOnlyFromAmong("pchip", "cubic");
        var csv = new Option<string?>("--csv") { Description = "Write every measurement (per image and mean) as CSV to this file." };
        var json = new Option<string?>("--json") { Description = "Write the evaluation as JSON to this file (input of vqz plot)." };
        var force = new Option<bool>("--force", "-f") { Description = "Overwrite existing --csv and --json files." };
        var codec = new CodecOptionSet();
        var command = new Command("codec", "Compare vqz with JPEG, WebP and AVIF: bpp, PSNR, MS-SSIM, times, BD-rate.");
        data.AddTo(command);
        foreach (var o in new Option[] { quality, standard, jpegSweep, webpSweep, avifSweep, bdMethod, csv, json, force }) command.Options.Add(o);
        codec.AddTo(command);

        command.SetAction(async (p, cancel) =>
        {
            var console = ToolConsole.For(p);
            var method = RdComparison.ParseMethod(p.GetValue(bdMethod)!);
            foreach (var target in new[] { p.GetValue(csv), p.GetValue(json) })
                if (target is not null) AtomicFile.Check(target, OutputRule.Of(p.GetValue(force)));
            var options = codec.Build(p, verify: false);
            using var catalog = codec.OpenCatalog(p);
            var sweeps = new Dictionary<string, string?> { ["jpeg"] = p.GetValue(jpegSweep), ["webp"] = p.GetValue(webpSweep), ["avif"] = p.GetValue(avifSweep) };
            var plan = MakePlan(catalog, p.GetValue(quality), p.GetValue(standard), sweeps);
            foreach (var s in plan.Skipped) console.Warn($"{s.Codec} skipped: {s.Reason}");
            if (plan.Standards.Any(s => s.Codec is JpegCodec && s.Sweep.Contains(75)))
                console.Warn("JPEG quality 75 re-encodes the CIFAR-10 copies (quality-75 JPEGs) almost losslessly; leave it out of CIFAR-10 comparisons (docs/evaluation.md)");
            if (plan.Qualities.Count == 0 && plan.Standards.Count == 0)
                throw new UsageException("nothing to evaluate: no vqz preset and no standard codec is available");

            var dataset = data.Load(p, cancel)!;
            if (dataset.Count == 0) throw new UsageException($"no images in {p.GetValue(data.Path)}");
            var evaluation = await Run(console, catalog, options, plan, dataset, p.GetValue(data.Path)!, p.GetValue(data.PerFolder), p.GetValue(data.Limit), method, cancel);
            Print(console, evaluation);
            if (p.GetValue(csv) is { } csvPath) AtomicFile.Write(csvPath, Encoding.UTF8.GetBytes(EvaluationFiles.ToCsv(evaluation)));
            if (p.GetValue(json) is { } jsonPath) AtomicFile.Write(jsonPath, Encoding.UTF8.GetBytes(EvaluationFiles.ToJson(evaluation, method.MinimumPoints)));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The presets and standard codecs to run; explicit requests that cannot run are usage errors.</summary>
    internal static Plan MakePlan(ModelCatalog catalog, string? qualityList, string? standardList, IReadOnlyDictionary<string, string?> sweeps)
    {
        var skipped = new List<SkippedCodec>();
        var available = catalog.Presets.Select(x => x.Quality).Distinct().ToList();
        List<Quality> qualities;
        if (qualityList is null)
        {
            qualities = new[] { Quality.Low, Quality.Medium, Quality.High, Quality.Max }.Where(available.Contains).ToList();
            if (qualities.Count == 0) skipped.Add(new SkippedCodec("vqz", "no vqz models are installed (no preset in models/, --model-dir or $VQZ_MODEL_PATH)"));
        }
        else
        {
            qualities = [];
            foreach (var name in List(qualityList, "--quality"))
            {
                Quality q;
                try { q = Quality.Parse(name); }
                catch (ArgumentException) { throw new UsageException($"--quality {name}: expected low, medium, high, max or none"); }
                if (!available.Contains(q))
                    throw new VqzModelException(ModelProblem.Missing, FSharpOption<ModelsTag>.None, $"no preset for quality '{name}' is installed (models/presets.json or --model-dir)");
                if (!qualities.Contains(q)) qualities.Add(q);
            }
        }

        var standards = new List<(StandardCodec, IReadOnlyList<int>)>();
        var known = StandardCodec.All();
        var requested = standardList is null ? null : List(standardList, "--standard");
        foreach (var name in requested ?? [])
            if (known.All(c => c.Name != name)) throw new UsageException($"--standard {name}: expected jpeg, webp, avif or none");
        foreach (var c in known)
        {
            var sweep = Sweep(c, sweeps.GetValueOrDefault(c.Name));
            if (requested is not null && !requested.Contains(c.Name)) continue;
            if (c.Missing() is { } why)
            {
                if (requested is not null) throw new UsageException($"--standard {c.Name}: {why}");
                skipped.Add(new SkippedCodec(c.Name, why));
                continue;
            }
            standards.Add((c, sweep));
        }
        return new Plan(qualities, standards, skipped);
    }

    private static List<string> List(string text, string option)
    {
        var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant()).ToList();
        if (items.Count == 0) throw new UsageException($"{option}: an empty list");
        if (items.Contains("none")) return items.Count == 1 ? [] : throw new UsageException($"{option}: 'none' cannot be combined with other values");
        return items;
    }

    private static IReadOnlyList<int> Sweep(StandardCodec c, string? text)
    {
        if (text is null) return c.DefaultSweep;
        var option = $"--{c.Name}-{(c.Name == "avif" ? "quantizer" : "quality")}";
        var values = new List<int>();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(item, out var v) || v < c.Range.Min || v > c.Range.Max)
                throw new UsageException($"{option} {item}: expected whole numbers from {c.Range.Min} to {c.Range.Max}");
            if (!values.Contains(v)) values.Add(v);
        }
        return values.Count > 0 ? values : throw new UsageException($"{option}: an empty list");
    }

    private static async Task<CodecEvaluation> Run(ToolConsole console, ModelCatalog catalog, CodecOptions options, Plan plan, ImageDataset dataset,
        string dataPath, int? perFolder, int? limit, VqVae.Codec.Evaluation.BdMethod method, CancellationToken cancel)
    {
        var points = new List<(string Codec, string Setting, Func<int, string, (ImageMeasurement, string?)> Measure)>();
        foreach (var q in plan.Qualities)
        {
            var o = new CodecOptions(q, options.Device, false, options.Threads, options.TileSide, options.Levels, options.EmbedModels, options.ModelNames, options.Metadata, options.GridChecksum, options.MaxPixels, options.NetworkTilePixels, options.RateLambda);
            points.Add(("vqz", q.ToString(), (i, _) => MeasureVqz(catalog, o, dataset.Names[i], dataset.Images[i], cancel)));
        }
        foreach (var (c, sweep) in plan.Standards)
            foreach (var s in sweep)
                points.Add((c.Name, c.Label(s), (i, folder) =>
                {
                    var run = c.Run(dataset.Images[i], s, folder, cancel);
                    return (ImageMeasurement.Of(dataset.Names[i], dataset.Images[i], run.Decoded, run.Bytes, run.EncodeMs, run.DecodeMs), (string?)null);
                }));

        var measured = new ImageMeasurement?[points.Count, dataset.Count];
        var models = points.Select(_ => new SortedSet<string>(StringComparer.Ordinal)).ToArray();
        var failures = new string?[points.Count];
        var folder = Directory.CreateTempSubdirectory("vqz-eval-").FullName;
        try
        {
            await FileRun.ForEach(console, dataset.Count, 1, "evaluating", cancel, i =>
            {
                for (int k = 0; k < points.Count; k++)
                {
                    if (failures[k] is not null) continue;
                    try
                    {
                        var (m, model) = points[k].Measure(i, folder);
                        measured[k, i] = m;
                        if (model is not null) models[k].Add(model);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        failures[k] = $"{dataset.Names[i]}: {ErrorReport.Classify(e).Message}";
                    }
                }
            });
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        var results = new List<RdPointResult>();
        var skipped = plan.Skipped.ToList();
        for (int k = 0; k < points.Count; k++)
        {
            var (codecName, setting, _) = points[k];
            if (failures[k] is { } failure)
            {
                console.Warn($"{codecName} {setting} left out: {failure}");
                skipped.Add(new SkippedCodec($"{codecName} {setting}", failure));
                continue;
            }
            results.Add(new RdPointResult(codecName, setting, Enumerable.Range(0, dataset.Count).Select(i => measured[k, i]!).ToList(), models[k].ToList()));
        }
        return new CodecEvaluation(dataPath, perFolder, limit, dataset.Names, results, skipped, method.IsPchip ? "pchip" : "cubic",
            RdComparison.BdRates(results, method), RdComparison.AtEqualPsnr(results)) { RateLambda = options.RateLambda };
    }

    /// <summary>Encodes (no verification), decodes the bytes in a separate call, and measures the decoder's image.</summary>
    private static (ImageMeasurement, string?) MeasureVqz(ModelCatalog catalog, CodecOptions options, string name, RgbImage image, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var encoded = ImageCodec.encode(catalog, options, FSharpOption<CodecModels>.None, image, cancel);
        double encodeMs = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        var decoded = ImageCodec.decode(catalog, options, VqzReaderOptions.Default, encoded.Bytes, cancel);
        double decodeMs = clock.Elapsed.TotalMilliseconds;
        return (ImageMeasurement.Of(name, image, decoded.Image, encoded.Bytes.Length, encodeMs, decodeMs), encoded.Models.ToString());
    }

    private static void Print(ToolConsole console, CodecEvaluation e)
    {
        int images = e.ImageNames.Count;
        var table = new Table().AddColumns("codec", "setting", "bytes", "bpp", "PSNR (dB)", "MS-SSIM", "encode (ms)", "decode (ms)");
        table.Title = new TableTitle($"mean over {images} image{(images == 1 ? "" : "s")}");
        foreach (var p in e.Points)
            table.AddRow(p.Codec, p.Setting, p.Bytes.ToString("F0"), p.Bpp.ToString("F4"), p.Psnr.ToString("F2"), p.MsSsim?.ToString("F4") ?? "n/a",
                p.EncodeMs.ToString("F1"), p.DecodeMs.ToString("F1"));
        console.Ansi.Write(table);
        if (e.MsSsimScales.Count > 0)
            console.Out.WriteLine("MS-SSIM: per R, G, B channel, averaged; " + string.Join("; ", e.MsSsimScales.Select(s => s.Scales switch
            {
                0 => $"{s.Images} image(s) under 11 pixels a side have none",
                5 => $"5 scales for {s.Images} image(s)",
                _ => $"{s.Scales} scale{(s.Scales == 1 ? " (single-scale SSIM)" : "s, weights renormalised")} for {s.Images} image(s) too small for 5",
            })) + ".");

        if (e.BdRates.Count > 0)
        {
            var vqzSettings = string.Join(", ", e.Points.Where(p => p.Codec == "vqz").Select(p => p.Setting));
            var bd = new Table().AddColumns("vqz against", "BD-rate (PSNR)", "PSNR interval", "BD-rate (MS-SSIM)", "MS-SSIM interval");
            bd.Title = new TableTitle($"BD-rate of the vqz curve ({vqzSettings}), {e.BdMethodName}");
            foreach (var anchor in e.BdRates.GroupBy(r => r.Anchor))
            {
                var cells = new List<string> { anchor.Key };
                foreach (var metric in new[] { "psnr", "msssim" })
                {
                    var r = anchor.FirstOrDefault(x => x.Metric == metric);
                    cells.Add(r?.Percent is { } v ? $"{v:+0.0;-0.0}%" : "none");
                    cells.Add(r?.From is { } a ? $"{a:F2} to {r.To:F2} dB" : "");
                }
                bd.AddRow(cells.ToArray());
            }
            console.Ansi.Write(bd);
            foreach (var r in e.BdRates.Where(r => r.Reason is not null))
                console.Out.WriteLine($"no BD-rate against {r.Anchor} ({(r.Metric == "psnr" ? "PSNR" : "MS-SSIM")} in dB): {r.Reason}.");
        }
        if (e.AtEqualPsnr.Count > 0)
        {
            var anchors = e.AtEqualPsnr.Select(r => r.Anchor).Distinct().ToList();
            var eq = new Table().AddColumn("vqz preset");
            foreach (var a in anchors) eq.AddColumn($"vs {a}");
            eq.Title = new TableTitle("rate of each preset against each codec at the same PSNR");
            foreach (var preset in e.AtEqualPsnr.GroupBy(r => r.Preset))
                eq.AddRow(anchors.Select(a => preset.FirstOrDefault(r => r.Anchor == a)?.Percent is { } v ? $"{v:+0.0;-0.0}%" : "outside").Prepend(preset.Key).ToArray());
            console.Ansi.Write(eq);
            if (e.AtEqualPsnr.Any(r => r.Percent is null))
                console.Out.WriteLine("outside: the preset's PSNR lies outside the PSNR range that codec's sweep covers (nothing is extrapolated).");
        }
        else if (e.Points.Any(p => p.Codec == "vqz") && !e.Points.Any(p => p.Codec != "vqz"))
            console.Out.WriteLine("No standard codec was measured, so there is no BD-rate.");
    }
}
