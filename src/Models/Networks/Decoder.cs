using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Networks;

/// <summary>
/// The decoder p_phi(x | z) of thesis chapter 6, the mirror of <see cref="Encoder"/>: a 3x3 convolution
/// from D to the hidden channels, the residual stack, and 4x4 stride-2 transposed convolutions back to
/// the image. Output [B, C, H, W], unbounded (the loss pulls it to [-0.5, 0.5]).
/// </summary>
public sealed class Decoder : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv3;
    private readonly ResidualStack residual;
    private readonly ModuleList<ConvTranspose2d> up;

    /// <summary>Builds the decoder of <paramref name="a"/>.</summary>
    public Decoder(VqVaeArchitecture a) : base(nameof(Decoder))
    {
        int h = a.HiddenChannels;
        conv3 = nn.Conv2d(a.LatentDim, h, 3, padding: 1);
        residual = new ResidualStack(h, a.ResidualChannels, a.ResidualBlocks);
        up = new ModuleList<ConvTranspose2d>();
        int channels = h;
        for (int i = 0; i < a.StridedLayers; i++)
        {
            bool last = i == a.StridedLayers - 1;
            int next = last ? a.ImageChannels : h / 2;
            up.Add(nn.ConvTranspose2d(channels, next, 4, stride: 2, padding: 1));
            channels = next;
        }
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor z)
    {
        using var scope = NewDisposeScope();
        var x = residual.forward(conv3.forward(z));
        for (int i = 0; i < up.Count; i++)
        {
            x = up[i].forward(x);
            if (i < up.Count - 1) x = nn.functional.relu(x);
        }
        return x.MoveToOuterDisposeScope();
    }
}
