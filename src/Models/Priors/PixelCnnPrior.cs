using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Priors;

/// <summary>
/// The masked PixelCNN of thesis section 3.3 over code grids: a learned code embedding, a k x k type A
/// masked convolution (eq. 3.4), then residual layers x + conv_B(ReLU(x)) with 3x3 type B masks (eq. 3.5),
/// and the output head. Its receptive field has the blind spot of figure 3.2.
/// </summary>
public sealed class PixelCnnPrior : Prior
{
    private readonly Embedding embedding;
    private readonly MaskedConv2d first;
    private readonly ModuleList<MaskedConv2d> layers;
    private readonly OutputHead head;

    /// <summary>Builds the network of <paramref name="a"/>.</summary>
    public PixelCnnPrior(PriorArchitecture a) : base(nameof(PixelCnnPrior), a)
    {
        embedding = nn.Embedding(a.CodebookSize, a.Channels);
        first = new MaskedConv2d(a.Channels, a.Channels, a.FirstKernelSize, MaskType.A);
        layers = new ModuleList<MaskedConv2d>();
        for (int i = 0; i < a.Layers; i++) layers.Add(new MaskedConv2d(a.Channels, a.Channels, a.KernelSize, MaskType.B));
        head = new OutputHead(a.Channels, a.HeadChannels, a.CodebookSize);
        RegisterComponents();
    }

    /// <summary>The code embedding [K, C].</summary>
    public Embedding Embedding => embedding;

    /// <summary>The type A first layer.</summary>
    public MaskedConv2d First => first;

    /// <summary>The type B layers.</summary>
    public IReadOnlyList<MaskedConv2d> Layers => layers.ToList();

    /// <summary>The output head.</summary>
    public OutputHead Head => head;

    /// <inheritdoc/>
    public override Tensor forward(Tensor codes)
    {
        using var scope = NewDisposeScope();
        var x = first.forward(embedding.forward(codes).permute(0, 3, 1, 2));
        foreach (var layer in layers) x = x.Plus(layer.forward(nn.functional.relu(x)));
        return head.forward(x).MoveToOuterDisposeScope();
    }
}
