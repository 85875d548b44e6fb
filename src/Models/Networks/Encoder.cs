using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Networks;

/// <summary>
/// The encoder z_theta(x) of thesis chapter 6: 4x4 stride-2 convolutions (two for downsampling 4, three
/// for 8), a 3x3 convolution, the residual stack, and a 1x1 projection to the latent dimension D.
/// Input [B, C, H, W] in [-0.5, 0.5]; output [B, D, H/f, W/f].
/// </summary>
public sealed class Encoder : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Conv2d> down;
    private readonly Conv2d conv3;
    private readonly ResidualStack residual;
    private readonly Conv2d project;

    /// <summary>Builds the encoder of <paramref name="a"/>.</summary>
    public Encoder(VqVaeArchitecture a) : base(nameof(Encoder))
    {
        int h = a.HiddenChannels;
        down = new ModuleList<Conv2d>();
        int channels = a.ImageChannels;
        for (int i = 0; i < a.StridedLayers; i++)
        {
            int next = i == a.StridedLayers - 1 ? h : h / 2;
            down.Add(nn.Conv2d(channels, next, 4, stride: 2, padding: 1));
            channels = next;
        }
        conv3 = nn.Conv2d(h, h, 3, padding: 1);
        residual = new ResidualStack(h, a.ResidualChannels, a.ResidualBlocks);
        project = nn.Conv2d(h, a.LatentDim, 1);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        foreach (var conv in down) x = nn.functional.relu(conv.forward(x));
        x = residual.forward(conv3.forward(x));
        return project.forward(x).MoveToOuterDisposeScope();
    }
}
