using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Networks;

/// <summary>
/// Residual blocks of thesis chapter 6: each is x + conv1x1(ReLU(conv3x3(ReLU(x)))), and a ReLU after the
/// last block (as in the VQ-VAE reference implementation).
/// </summary>
public sealed class ResidualStack : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Conv2d> conv3;
    private readonly ModuleList<Conv2d> conv1;

    /// <summary>Creates <paramref name="blocks"/> blocks on <paramref name="channels"/> channels.</summary>
    public ResidualStack(int channels, int residualChannels, int blocks) : base(nameof(ResidualStack))
    {
        conv3 = new ModuleList<Conv2d>();
        conv1 = new ModuleList<Conv2d>();
        for (int i = 0; i < blocks; i++)
        {
            conv3.Add(nn.Conv2d(channels, residualChannels, 3, padding: 1, bias: false));
            conv1.Add(nn.Conv2d(residualChannels, channels, 1, bias: false));
        }
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        for (int i = 0; i < conv3.Count; i++)
            x = x.Plus(conv1[i].forward(nn.functional.relu(conv3[i].forward(nn.functional.relu(x)))));
        return nn.functional.relu(x).MoveToOuterDisposeScope();
    }
}
