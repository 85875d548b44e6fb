using System.CommandLine;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Tool.Plotting;
using VqVae.Codec.Tool.Terminal;

namespace VqVae.Codec.Tool.Commands;

/// <summary>
/// `vqz plot INPUT -o PNG`: rate-distortion curves from the JSON of `vqz eval codec`, or a training curve
/// from a training log (&lt;model&gt;.log.jsonl); the kind is recognised from the content.
/// </summary>
internal static class PlotCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "A training log (<model>.log.jsonl) or the JSON of vqz eval codec --json." };
        var output = new Option<string>("--output", "-o") { Description = "The PNG to write.", Required = true };
        var metric = new Option<string?>("--metric") { Description = "Evaluation: psnr (default), msssim or msssim-db. Training log: any of its fields (default recon, else bitsPerCode)." };
        var title = new Option<string?>("--title") { Description = "Plot title (default: the input's file name)." };
        var width = new Option<int>("--width") { Description = "Width in pixels.", DefaultValueFactory = _ => 800 };
        var height = new Option<int>("--height") { Description = "Height in pixels.", DefaultValueFactory = _ => 600 };
        var force = new Option<bool>("--force", "-f") { Description = "Overwrite an existing PNG." };
        var command = new Command("plot", "Plot rate-distortion curves (eval codec JSON) or a training curve (training log) to PNG.") { input };
        foreach (var o in new Option[] { output, metric, title, width, height, force }) command.Options.Add(o);
        command.SetAction((p, cancel) =>
        {
            var console = ToolConsole.For(p);
            var path = p.GetValue(input)!;
            var target = p.GetValue(output)!;
            var (w, h) = (p.GetValue(width), p.GetValue(height));
            if (w is < 100 or > 10000 || h is < 100 or > 10000) throw new UsageException("--width and --height must be from 100 to 10000 pixels");
            AtomicFile.Check(target, OutputRule.Of(p.GetValue(force)));
            var name = p.GetValue(title) ?? Path.GetFileName(path);
            var (png, kind) = PlotInput.Read(path) switch
            {
                PlotInput.CodecEvaluation e => (RateDistortionPlot.Render(e.Root, p.GetValue(metric), name, w, h), "rate-distortion curves"),
                PlotInput.TrainingLog t => (TrainingCurvePlot.Render(t.Records, p.GetValue(metric), name, w, h), "training curve"),
                _ => throw new InvalidOperationException("unknown plot input"),
            };
            AtomicFile.Write(target, png, OutputRule.Of(p.GetValue(force)));
            console.Out.WriteLine($"{kind}: {target} ({w}x{h})");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
