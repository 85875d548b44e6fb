using System.Diagnostics;
using VqVae.Codec.Models.Networks;
using VqVae.Codec.Models.Quantizers;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Training;

/// <summary>Training throughput of an architecture and quantizer on synthetic batches (no data loading).</summary>
public static class TrainingBenchmark
{
    /// <summary>Result of one measurement.</summary>
    public sealed record Result(string Quantizer, int BatchSize, int Steps, double SecondsPerStep, double ImagesPerSecond);

    /// <summary>Runs <paramref name="warmup"/> untimed and <paramref name="steps"/> timed training steps.</summary>
    public static Result Run(VqVaeArchitecture architecture, QuantizerOptions quantizer, int batchSize, int imageSize, int warmup, int steps, int seed = 1)
    {
        random.manual_seed(seed);
        using var network = new VqVaeNetwork(architecture, quantizer);
        network.train();
        var optimizer = optim.Adam(network.parameters(), 1e-3);
        using var images = rand(batchSize, architecture.ImageChannels, imageSize, imageSize).Minus(0.5);
        var clock = new Stopwatch();
        for (int i = 0; i < warmup + steps; i++)
        {
            if (i == warmup) clock.Start();
            using var scope = NewDisposeScope();
            var pass = network.Forward(images, (double)i / (warmup + steps));
            var loss = VqVaeLoss.Total(VqVaeLoss.Reconstruction(pass.Reconstruction, images, 0.06), quantizer, [.. pass.Levels]);   // eq. 5.4
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            network.AfterOptimizerStep(pass);
        }
        clock.Stop();
        double perStep = clock.Elapsed.TotalSeconds / steps;
        return new Result(QuantizerOptions.NameOf(quantizer.Kind), batchSize, steps, perStep, batchSize / perStep);
    }
}
