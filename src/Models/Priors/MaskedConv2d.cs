using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Priors;

/// <summary>Which centre taps a PixelCNN mask keeps.</summary>
public enum MaskType
{
    /// <summary>Eq. 3.4: rows above the centre, and the centre row left of the centre (first layer).</summary>
    A,
    /// <summary>Eq. 3.5: as A and the centre itself (later layers).</summary>
    B,
}

/// <summary>
/// A square convolution whose kernel is multiplied by a PixelCNN mask (section 3.3): with centre c = k/2,
/// M[i, j] = 1 if i &lt; c or (i = c and j &lt; c) for type A (eq. 3.4), j &lt;= c for type B (eq. 3.5).
/// Zero padding keeps the grid size.
/// </summary>
public sealed class MaskedConv2d : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly Tensor mask;

    /// <summary>Creates a k x k masked convolution.</summary>
    public MaskedConv2d(int inChannels, int outChannels, int kernelSize, MaskType type) : base(nameof(MaskedConv2d))
    {
        conv = nn.Conv2d(inChannels, outChannels, kernelSize, padding: kernelSize / 2);
        mask = Mask(kernelSize, type).reshape(1, 1, kernelSize, kernelSize);
        register_module("conv", conv);
        register_buffer("mask", mask, persistent: false);
        Type = type;
        KernelSize = kernelSize;
    }

    /// <summary>The mask type.</summary>
    public MaskType Type { get; }

    /// <summary>The kernel side.</summary>
    public int KernelSize { get; }

    /// <summary>The convolution (weight [out, in, k, k] unmasked as stored; masked when applied).</summary>
    public Conv2d Conv => conv;

    /// <summary>The k x k mask of eq. 3.4 (type A) or eq. 3.5 (type B).</summary>
    public static Tensor Mask(int k, MaskType type)
    {
        int c = k / 2;
        var m = new float[k * k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                m[i * k + j] = i < c || (i == c && (type == MaskType.A ? j < c : j <= c)) ? 1 : 0;
        return tensor(m, [k, k]);
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x) =>
        nn.functional.conv2d(x, conv.weight! * mask, conv.bias, padding: [KernelSize / 2, KernelSize / 2]);
}
