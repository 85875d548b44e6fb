using VqVae.Codec.Models.Data;
using VqVae.Codec.Models.Networks;
using VqVae.Codec.Models.Priors;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Evaluation;

/// <summary>Stage 1 figures on a data set (thesis chapter 6 and the VQ-VAE reference notebook).</summary>
/// <param name="Images">Images evaluated.</param>
/// <param name="Mse">Mean squared error of the network output on pixels scaled to [0, 1] (unclamped, as the reference).</param>
/// <param name="NormalizedError">Mse divided by the training data's pixel variance: the thesis's "reconstruction error".</param>
/// <param name="Psnr">PSNR in dB of the 8-bit RGB reconstruction (clamped and rounded) against the 8-bit original.</param>
/// <param name="Perplexity">exp(entropy) of the code usage over the whole set.</param>
/// <param name="CodesUsed">Fraction of the K codes used at least once.</param>
/// <param name="UnigramBits">Entropy of the code usage in bits per code.</param>
public sealed record VqVaeEvaluation(int Images, double Mse, double NormalizedError, double Psnr, double Perplexity, double CodesUsed, double UnigramBits);

/// <summary>Evaluates a VQ-VAE: reconstruction error, PSNR, perplexity, code usage.</summary>
public static class VqVaeEvaluator
{
    /// <summary>Runs the network over the data set in batches (images padded to a multiple of the downsampling).</summary>
    public static VqVaeEvaluation Evaluate(VqVaeNetwork network, ImageDataset data, double dataVariance, int batchSize = 256, CancellationToken cancel = default)
    {
        bool wasTraining = network.training;
        network.eval();
        var codes = new CodeStatistics(network.Architecture.CodebookSize);
        double squares = 0, squares255 = 0;
        long samples = 0;
        try
        {
            using var _ = no_grad();
            foreach (var group in data.Images.Select((image, i) => (image, i)).GroupBy(p => (p.image.Width, p.image.Height)))
            {
                foreach (var chunk in group.Select(p => p.image).Chunk(CodeGridSet.BatchFor(group.Key.Width, group.Key.Height, batchSize)))
                {
                    cancel.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    var x = ImageTensors.ToTensor(chunk);
                    var padded = Padding.ToMultiple(x, network.Architecture.Downsampling);
                    var c = network.EncodeToCodes(padded);
                    codes.Add(c);
                    var y = network.DecodeCodes(c)[.., .., ..(int)x.shape[2], ..(int)x.shape[3]];
                    squares += (y - x).to_type(ScalarType.Float64).Squared().sum().item<double>();
                    var decoded = ImageTensors.ToImages(y);
                    for (int i = 0; i < chunk.Length; i++) squares255 += PixelMetrics.SquaredError(chunk[i], decoded[i]).SumSquares;
                    samples += x.numel();
                }
            }
        }
        finally
        {
            if (wasTraining) network.train();
        }
        double mse = squares / samples;
        return new VqVaeEvaluation(data.Count, mse, mse / dataVariance, PixelMetrics.Psnr(squares255 / samples),
            codes.Perplexity, codes.UsedFraction, codes.EntropyBits);
    }
}
