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
        var d = new VqVaeArchitecture();
        var hidden = new Option<int>("--hidden") { Description = "Hidden channels of the strided convolutions.", DefaultValueFactory = _ => d.HiddenChannels };
        var residualChannels = new Option<int>("--residual-channels") { Description = "Channels inside each residual block.", DefaultValueFactory = _ => d.ResidualChannels };
        var residualBlocks = new Option<int>("--residual-blocks") { Description = "Residual blocks in the encoder and in the decoder.", DefaultValueFactory = _ => d.ResidualBlocks };
        var command = new Command("train", "Measure training throughput (images/s) of an architecture (the default one unless given) on synthetic batches.");
        foreach (var o in new Option[] { quantizers, batch, size, steps, warmup, threads, downsampling, hidden, residualChannels, residualBlocks }) command.Options.Add(o);
        command.SetAction((p, cancel) =>
        {
            var console = ToolConsole.For(p);
            if (p.GetValue(threads) is > 0 and var n) TorchSharp.torch.set_num_threads(n);
            var architecture = new VqVaeArchitecture
            {
                Downsampling = p.GetValue(downsampling), HiddenChannels = p.GetValue(hidden),
                ResidualChannels = p.GetValue(residualChannels), ResidualBlocks = p.GetValue(residualBlocks),
            }.Validate();
            var table = new Table().AddColumns("quantizer", "batch", "steps", "s/step", "images/s");
            foreach (var name in p.GetValue(quantizers)!)
            {
                cancel.ThrowIfCancellationRequested();
                var options = new QuantizerOptions { Kind = QuantizerOptions.Parse(name) };
                var r = TrainingBenchmark.Run(architecture, options, p.GetValue(batch), p.GetValue(size), p.GetValue(warmup), p.GetValue(steps));
                table.AddRow(r.Quantizer, r.BatchSize.ToString(), r.Steps.ToString(), r.SecondsPerStep.ToString("F3"), r.ImagesPerSecond.ToString("F0"));
            }
            console.Out.WriteLine($"TorchSharp threads: {TorchSharp.torch.get_num_threads()}, cores: {Environment.ProcessorCount}; " +
                                  $"hidden {architecture.HiddenChannels}, residual {architecture.ResidualBlocks} x {architecture.ResidualChannels}, downsampling {architecture.Downsampling}");
            console.Ansi.Write(table);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
