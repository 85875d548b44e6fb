using static TorchSharp.torch;

namespace VqVae.Codec.Models.Priors;

/// <summary>Draws code grids from a prior in raster order (section 5.3): z_ij ~ softmax(logits_ij / temperature).</summary>
public static class PriorSampler
{
    /// <summary>Samples <paramref name="count"/> grids of <paramref name="height"/> x <paramref name="width"/>: [count, h, w] int64.</summary>
    public static Tensor Sample(Prior prior, int count, int height, int width, double temperature, int seed)
    {
        if (temperature <= 0) throw new InvalidOptionsException("--temperature must be > 0");
        prior.eval();
        using var _ = no_grad();
        var generator = new TorchSharp.torch.Generator((ulong)seed);
        var grid = zeros([count, height, width], ScalarType.Int64);
        for (int i = 0; i < height; i++)
            for (int j = 0; j < width; j++)
            {
                using var scope = NewDisposeScope();
                var logits = prior.forward(grid)[.., .., i, j].DividedBy(temperature);   // [count, K]
                grid[.., i, j] = multinomial(logits.softmax(1), 1, generator: generator).squeeze(1);
            }
        return grid;
    }
}
