using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Priors;

/// <summary>A linear layer whose weight is multiplied by a fixed binary mask (eq. 3.3).</summary>
public sealed class MaskedLinear : nn.Module<Tensor, Tensor>
{
    private readonly Linear linear;
    private readonly Tensor mask;

    /// <summary>Creates the layer; <paramref name="mask"/> is [out, in].</summary>
    public MaskedLinear(int inFeatures, int outFeatures, Tensor mask) : base(nameof(MaskedLinear))
    {
        linear = nn.Linear(inFeatures, outFeatures);
        this.mask = mask;
        register_module("linear", linear);
        register_buffer("mask", this.mask, persistent: false);
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x) => nn.functional.linear(x, linear.weight! * mask, linear.bias);
}

/// <summary>
/// MADE (thesis section 3.2, Germain et al. 2015) over a fixed H x W grid flattened in raster order. Each
/// position's code enters as a learned embedding of E = <see cref="PriorArchitecture.Channels"/> numbers
/// (degree d = its raster index + 1); hidden units get degrees 1..n-1 cyclically; a connection from degree
/// a to a hidden unit of degree b exists when b &gt;= a, and from a hidden unit of degree b to the output of
/// position d when d &gt; b, so output d depends only on positions before d (eq. 3.3).
/// </summary>
public sealed class MadePrior : Prior
{
    private readonly Embedding embedding;
    private readonly ModuleList<MaskedLinear> hidden;
    private readonly MaskedLinear output;

    /// <summary>Builds the network of <paramref name="a"/>.</summary>
    public MadePrior(PriorArchitecture a) : base(nameof(MadePrior), a)
    {
        int n = a.GridHeight * a.GridWidth, e = a.Channels, k = a.CodebookSize;
        var inputDegree = Enumerable.Range(0, n * e).Select(i => i / e + 1).ToArray();
        var hiddenDegree = Enumerable.Range(0, a.MadeHidden).Select(i => n == 1 ? 1 : i % (n - 1) + 1).ToArray();
        var outputDegree = Enumerable.Range(0, n * k).Select(i => i / k + 1).ToArray();
        embedding = nn.Embedding(k, e);
        hidden = new ModuleList<MaskedLinear>();
        var previous = inputDegree;
        for (int l = 0; l < a.MadeLayers; l++)
        {
            hidden.Add(new MaskedLinear(previous.Length, a.MadeHidden, MaskOf(previous, hiddenDegree, strict: false)));
            previous = hiddenDegree;
        }
        output = new MaskedLinear(previous.Length, n * k, MaskOf(previous, outputDegree, strict: true));
        RegisterComponents();
    }

    private static Tensor MaskOf(int[] from, int[] to, bool strict)
    {
        var m = new float[to.Length * from.Length];
        for (int o = 0; o < to.Length; o++)
            for (int i = 0; i < from.Length; i++)
                m[o * from.Length + i] = (strict ? to[o] > from[i] : to[o] >= from[i]) ? 1 : 0;
        return tensor(m, [to.Length, from.Length]);
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor codes)
    {
        using var scope = NewDisposeScope();
        int b = (int)codes.shape[0], h = Architecture.GridHeight, w = Architecture.GridWidth, k = Architecture.CodebookSize;
        if (codes.shape[1] != h || codes.shape[2] != w)
            throw new ArgumentException($"MADE models {h}x{w} grids, got {codes.shape[1]}x{codes.shape[2]}");
        var x = embedding.forward(codes.reshape(b, h * w)).reshape(b, -1);
        foreach (var layer in hidden) x = nn.functional.relu(layer.forward(x));
        return output.forward(x).reshape(b, h, w, k).permute(0, 3, 1, 2).MoveToOuterDisposeScope();
    }
}
