using VqVae.Codec.Models.Quantizers;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Tests;

/// <summary>Section 5.1.3: the decoder reads the mean of M prototypes sampled from the posterior.</summary>
public sealed class StochasticQuantizerTests
{
    [Fact]
    public void Single_samples_follow_the_posterior()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(7);
        var options = TinyCodebook.Options(QuantizerKind.FcmMembership) with { StochasticSamples = 1 };
        var q = TinyCodebook.Create(options);
        q.train();
        const int n = 20000;
        var latents = TinyCodebook.LatentTensor().expand(1, 2, n, 1).contiguous();   // n copies of the same latent
        var output = q.Forward(latents, 0);
        var posterior = TinyCodebook.Row(output.Posterior![0]);
        var picked = Codebook.Flatten(output.Quantized);                                     // [n, 2]
        for (int z = 0; z < 3; z++)
        {
            var w = q.Prototypes[z].unsqueeze(0);
            double fraction = (picked - w).abs().sum(1).eq(0).to_type(ScalarType.Float64).mean().item<double>();
            double sigma = Math.Sqrt(posterior[z] * (1 - posterior[z]) / n);
            Assert.InRange(fraction, posterior[z] - 5 * sigma - 1e-9, posterior[z] + 5 * sigma + 1e-9);
        }
    }

    [Fact]
    public void The_decoder_input_is_the_mean_of_M_sampled_prototypes()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        var options = TinyCodebook.Options(QuantizerKind.NeuralGas) with { StochasticSamples = 3, LambdaStart = 2, LambdaEnd = 2 };
        var q = TinyCodebook.Create(options);
        q.train();
        var output = q.Forward(TinyCodebook.LatentTensor().expand(1, 2, 500, 1).contiguous(), 0);
        var picked = Codebook.Flatten(output.Quantized);
        // Every mean of 3 prototypes from {(0,0), (1,0), (0,2)} has coordinates in {0, 1/3, 2/3, 1} x {0, 2/3, 4/3, 2}.
        var scaled = (picked * 3).round();
        Assert.True(((picked * 3) - scaled).abs().max().item<float>() < 1e-5, "not a mean of 3 prototypes");
        Assert.True(scaled.sum(1).le(3 * 2).all().item<bool>());
        Assert.True(picked.unique(dim: 0).Item1.shape[0] > 3, "sampling must produce means other than single prototypes");
    }

    [Fact]
    public void Evaluation_mode_decodes_the_nearest_prototype()
    {
        using var scope = NewDisposeScope();
        var q = TinyCodebook.Create(TinyCodebook.Options(QuantizerKind.NeuralGas) with { StochasticSamples = 3 });
        q.eval();
        var output = q.Forward(TinyCodebook.LatentTensor(), 0);
        Assert.Equal(new double[] { 0, 0 }, TinyCodebook.Row(output.Quantized.reshape(-1)));
    }
}
