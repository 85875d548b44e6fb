using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Priors;

/// <summary>The logits head of the convolutional priors: ReLU, 1x1 convolution, ReLU, 1x1 convolution to K.</summary>
public sealed class OutputHead : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d hidden;
    private readonly Conv2d logits;

    /// <summary>Creates the head from <paramref name="channels"/> features to <paramref name="codes"/> logits.</summary>
    public OutputHead(int channels, int headChannels, int codes) : base(nameof(OutputHead))
    {
        hidden = nn.Conv2d(channels, headChannels, 1);
        logits = nn.Conv2d(headChannels, codes, 1);
        RegisterComponents();
    }

    /// <summary>The hidden 1x1 convolution.</summary>
    public Conv2d Hidden => hidden;

    /// <summary>The 1x1 convolution to the K logits.</summary>
    public Conv2d Logits => logits;

    /// <inheritdoc/>
    public override Tensor forward(Tensor x) =>
        logits.forward(nn.functional.relu(hidden.forward(nn.functional.relu(x))));
}
