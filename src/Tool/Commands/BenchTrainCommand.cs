using System.CommandLine;
using Spectre.Console;
using VqVae.Codec.Models.Networks;
using VqVae.Codec.Models.Quantizers;
using VqVae.Codec.Models.Training;
using VqVae.Codec.Tool.Terminal;

namespace VqVae.Codec.Tool.Commands;

/// <summary>`vqz bench train`: training throughput of the default architecture, in images per second.</summary>
internal static class BenchTrainCommand
{
    public static Command Create()
    {
        var quantizers = new Option<string[]>("--quantizer")
        {
            Description = "Quantizers to measure (repeatable).",
            DefaultValueFactory = _ => ["neural-gas", "kmeans"],
            AllowMultipleArgumentsPerToken = true,
        };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => new TrainOptions().BatchSize };
        var size = new Option<int>("--size") { Description = "Image side (CIFAR-10: 32).", DefaultValueFactory = _ => 32 };
        var steps = new Option<int>("--steps") { Description = "Timed steps.", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps first.", DefaultValueFactory = _ => 3 };
        var threads = new Option<int>("--threads") { Description = "TorchSharp threads (0 = all cores).", DefaultValueFactory = _ => 0 }.InRange(0, OptionLimits.MaxThreads);
        var downsampling = new Option<int>("--downsampling") { Description = "4 or 8.", DefaultValueFactory = _ => new VqVaeArchitecture().Downsampling };
        var command = new Command("train", "Measure training throughput (images/s) of the default architecture on synthetic batches.");
        foreach (var o in new Option[] { quantizers, batch, size, steps, warmup, threads, downsampling }) command.Options.Add(o);
        command.SetAction((p, cancel) =>
        {
            var console = ToolConsole.For(p);
            if (p.GetValue(threads) is > 0 and var n) TorchSharp.torch.set_num_threads(n);
            var architecture = new VqVaeArchitecture { Downsampling = p.GetValue(downsampling) }.Validate();
            var table = new Table().AddColumns("quantizer", "batch", "steps", "s/step", "images/s");
            foreach (var name in p.GetValue(quantizers)!)
            {
                cancel.ThrowIfCancellationRequested();
                var options = new QuantizerOptions { Kind = QuantizerOptions.Parse(name) };
                var r = TrainingBenchmark.Run(architecture, options, p.GetValue(batch), p.GetValue(size), p.GetValue(warmup), p.GetValue(steps));
                table.AddRow(r.Quantizer, r.BatchSize.ToString(), r.Steps.ToString(), r.SecondsPerStep.ToString("F3"), r.ImagesPerSecond.ToString("F0"));
            }
            console.Out.WriteLine($"TorchSharp threads: {TorchSharp.torch.get_num_threads()}, cores: {Environment.ProcessorCount}");
            console.Ansi.Write(table);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
