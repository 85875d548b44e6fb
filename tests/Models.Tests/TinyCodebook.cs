using TorchSharp;
using VqVae.Codec.Models.Quantizers;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Tests;

/// <summary>The hand-checkable case of the quantizer tests: 3 prototypes in 2-D and one latent.</summary>
internal static class TinyCodebook
{
    /// <summary>w0 = (0, 0), w1 = (1, 0), w2 = (0, 2).</summary>
    public static readonly float[,] Prototypes = { { 0, 0 }, { 1, 0 }, { 0, 2 } };

    /// <summary>x = (0.2, 0.1): squared distances 0.05, 0.65, 3.65 (ranks 0, 1, 2).</summary>
    public static readonly float[] Latent = { 0.2f, 0.1f };

    public static readonly double[] Distances = { 0.05, 0.65, 3.65 };

    public static QuantizerOptions Options(QuantizerKind kind) => new()
    {
        Kind = kind, InitFromEncoder = false, DeadCodeSteps = 0, LambdaStart = 1, LambdaEnd = 1, Fuzzifier = 2,
    };

    public static Quantizer Create(QuantizerOptions options)
    {
        var q = QuantizerFactory.Create(3, 2, options);
        using (no_grad()) q.Prototypes.copy_(tensor(Prototypes));
        return q;
    }

    /// <summary>The latent as a [1, 2, 1, 1] tensor (batch 1, D = 2, a 1x1 grid).</summary>
    public static Tensor LatentTensor(bool requiresGrad = false) =>
        tensor(Latent).reshape(1, 2, 1, 1).requires_grad_(requiresGrad);

    public static double[] Row(Tensor t) => t.to_type(ScalarType.Float64).data<double>().ToArray();
}
