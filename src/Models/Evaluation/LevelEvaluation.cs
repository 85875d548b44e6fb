using VqVae.Codec.Models.Data;
using VqVae.Codec.Models.Networks;
using VqVae.Codec.Models.Priors;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Evaluation;

/// <summary>Stage 1 figures of the first <paramref name="Levels"/> code levels of a network (0 = the unquantized latents).</summary>
/// <param name="Levels">Code levels the decoder read (0: the encoder's latents, no quantizer: the networks' ceiling).</param>
/// <param name="Mse">Mean squared error on pixels in [0, 1] (unclamped network output).</param>
/// <param name="Psnr">PSNR in dB of the 8-bit RGB reconstruction against the 8-bit original.</param>
/// <param name="LevelUnigramBits">Entropy of level n's own code usage, bits per code (0 for the unquantized row).</param>
/// <param name="LevelPerplexity">exp of that entropy.</param>
/// <param name="UnigramBpp">Sum over levels 1..n of their unigram entropies per pixel: an upper bound of what an entropy model that ignores context would spend.</param>
public sealed record LevelEvaluation(int Levels, double Mse, double Psnr, double LevelUnigramBits, double LevelPerplexity, double UnigramBpp);

/// <summary>Evaluates every prefix of a network's code levels on a data set: dB gained and (unigram) bits spent per level.</summary>
public static class LevelEvaluator
{
    /// <summary>
    /// Rows for n = 1..L levels (encoding once and decoding L times), preceded by the unquantized row
    /// (n = 0) when <paramref name="unquantized"/>.
    /// </summary>
    public static IReadOnlyList<LevelEvaluation> Evaluate(VqVaeNetwork network, ImageDataset data, bool unquantized = false,
        int batchSize = 256, CancellationToken cancel = default)
    {
        int levels = network.LevelCount;
        int first = unquantized ? 0 : 1;
        var squares = new double[levels + 1];
        var squares255 = new double[levels + 1];
        var codes = Enumerable.Range(1, levels).Select(l => new CodeStatistics(network.CodebookSizeOf(l))).ToArray();
        long samples = 0;
        int f = network.Architecture.Downsampling;
        bool wasTraining = network.training;
        network.eval();
        try
        {
            using var _ = no_grad();
            foreach (var group in data.Images.GroupBy(i => (i.Width, i.Height)))
            {
                foreach (var chunk in group.Chunk(CodeGridSet.BatchFor(group.Key.Width, group.Key.Height, batchSize)))
                {
                    cancel.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    var x = ImageTensors.ToTensor(chunk);
                    var padded = Padding.ToMultiple(x, f);
                    var latents = network.EncodeToLatents(padded);                                    // the encoder runs once for every row
                    var grids = network.LatentsToLevels(latents, levels);
                    for (int l = 0; l < levels; l++) codes[l].Add(grids[l]);
                    for (int n = first; n <= levels; n++)
                    {
                        using var inner = NewDisposeScope();
                        var y = (n == 0 ? network.DecodeLatents(latents) : network.DecodeLevels(grids[..n]))
                            [.., .., ..(int)x.shape[2], ..(int)x.shape[3]];
                        squares[n] += (y - x).to_type(ScalarType.Float64).Squared().sum().item<double>();
                        var decoded = ImageTensors.ToImages(y);
                        for (int i = 0; i < chunk.Length; i++) squares255[n] += PixelMetrics.SquaredError(chunk[i], decoded[i]).SumSquares;
                    }
                    samples += x.numel();
                }
            }
        }
        finally
        {
            if (wasTraining) network.train();
        }
        var rows = new List<LevelEvaluation>();
        double bpp = 0;
        for (int n = first; n <= levels; n++)
        {
            double bits = n == 0 ? 0 : codes[n - 1].EntropyBits;
            bpp += bits / (f * f);
            rows.Add(new LevelEvaluation(n, squares[n] / samples, PixelMetrics.Psnr(squares255[n] / samples), bits,
                n == 0 ? 0 : codes[n - 1].Perplexity, bpp));
        }
        return rows;
    }
}
