using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Priors;

/// <summary>
/// One layer of the gated PixelCNN (van den Oord et al. 2016, figure 2), kernel k = 2p + 1:
/// <code>
///   v' = V(v)                    (p+1) x k kernel over rows i-p..i          -> 2C
///   v_out = tanh(v'_a) * sigmoid(v'_b)
///   h' = H(h) + W_vh(shift_down(v'))  1 x (p+1) kernel over cols j-p..j     -> 2C
///   h_out = W_o(tanh(h'_a) * sigmoid(h'_b)) + h   (no residual in the first layer)
/// </code>
/// shift_down hands row i the vertical features of row i-1, so the horizontal stack at (i, j) sees rows
/// above through v and its own row up to j (up to j-1 in the first layer, whose H kernel has its centre
/// masked: type A). The vertical stack never feeds the output directly, so nothing at or after (i, j) leaks.
/// </summary>
public sealed class GatedLayer : nn.Module<(Tensor V, Tensor H), (Tensor V, Tensor H)>
{
    private readonly Conv2d vertical;
    private readonly Conv2d horizontal;
    private readonly Conv2d verticalToHorizontal;
    private readonly Conv2d output;
    private readonly Tensor horizontalMask;

    /// <summary>Creates a layer on <paramref name="channels"/> channels; <paramref name="first"/> masks the centre (type A).</summary>
    public GatedLayer(int channels, int kernelSize, bool first) : base(nameof(GatedLayer))
    {
        int p = kernelSize / 2;
        vertical = nn.Conv2d(channels, 2 * channels, (p + 1, kernelSize));
        horizontal = nn.Conv2d(channels, 2 * channels, (1, p + 1));
        verticalToHorizontal = nn.Conv2d(2 * channels, 2 * channels, 1);
        output = nn.Conv2d(channels, channels, 1);
        var mask = ones(1, 1, 1, p + 1);
        if (first) mask[0, 0, 0, p] = tensor(0f);
        horizontalMask = mask;
        register_module("vertical", vertical);
        register_module("horizontal", horizontal);
        register_module("vertical_to_horizontal", verticalToHorizontal);
        register_module("output", output);
        register_buffer("horizontal_mask", horizontalMask, persistent: false);
        IsFirst = first;
        Pad = p;
    }

    /// <summary>Whether this is the first (type A) layer.</summary>
    public bool IsFirst { get; }

    /// <summary>p = k / 2.</summary>
    public int Pad { get; }

    /// <summary>V: the (p+1) x k vertical convolution to 2C channels.</summary>
    public Conv2d Vertical => vertical;

    /// <summary>H: the 1 x (p+1) horizontal convolution to 2C channels (centre tap masked in the first layer).</summary>
    public Conv2d Horizontal => horizontal;

    /// <summary>W_vh: 1x1 from the vertical to the horizontal stack.</summary>
    public Conv2d VerticalToHorizontal => verticalToHorizontal;

    /// <summary>W_o: 1x1 after the horizontal gate.</summary>
    public Conv2d Output => output;

    /// <summary>The horizontal kernel's mask [1, 1, 1, p+1].</summary>
    public Tensor HorizontalMask => horizontalMask;

    /// <summary>tanh(a) * sigmoid(b) over the two channel halves.</summary>
    public static Tensor Gate(Tensor x)
    {
        var halves = x.chunk(2, 1);
        return halves[0].tanh() * halves[1].sigmoid();
    }

    /// <inheritdoc/>
    public override (Tensor V, Tensor H) forward((Tensor V, Tensor H) input)
    {
        using var scope = NewDisposeScope();
        var (v, h) = input;
        int p = Pad;
        var vPre = vertical.forward(nn.functional.pad(v, [p, p, p, 0]));                            // rows i-p..i
        var shifted = nn.functional.pad(vPre, [0, 0, 1, 0])[.., .., ..^1, ..];                      // row i gets row i-1
        var hPre = nn.functional.conv2d(nn.functional.pad(h, [p, 0, 0, 0]), horizontal.weight! * horizontalMask, horizontal.bias)
                   .Plus(verticalToHorizontal.forward(shifted));
        var hOut = output.forward(Gate(hPre));
        if (!IsFirst) hOut = hOut.Plus(h);
        return (Gate(vPre).MoveToOuterDisposeScope(), hOut.MoveToOuterDisposeScope());
    }
}

/// <summary>
/// The gated PixelCNN prior (the default): code embedding, a type A gated layer, <see cref="PriorArchitecture.Layers"/>
/// type B gated layers, and the output head on the horizontal stack.
/// </summary>
public sealed class GatedPixelCnnPrior : Prior
{
    private readonly Embedding embedding;
    private readonly ModuleList<GatedLayer> layers;
    private readonly OutputHead head;

    /// <summary>Builds the network of <paramref name="a"/>.</summary>
    public GatedPixelCnnPrior(PriorArchitecture a) : base(nameof(GatedPixelCnnPrior), a)
    {
        embedding = nn.Embedding(a.CodebookSize, a.Channels);
        layers = new ModuleList<GatedLayer>();
        layers.Add(new GatedLayer(a.Channels, a.KernelSize, first: true));
        for (int i = 0; i < a.Layers; i++) layers.Add(new GatedLayer(a.Channels, a.KernelSize, first: false));
        head = new OutputHead(a.Channels, a.HeadChannels, a.CodebookSize);
        RegisterComponents();
    }

    /// <summary>The code embedding [K, C].</summary>
    public Embedding Embedding => embedding;

    /// <summary>The gated layers, the first of type A.</summary>
    public IReadOnlyList<GatedLayer> Layers => layers.ToList();

    /// <summary>The output head.</summary>
    public OutputHead Head => head;

    /// <inheritdoc/>
    public override Tensor forward(Tensor codes)
    {
        using var scope = NewDisposeScope();
        var x = embedding.forward(codes).permute(0, 3, 1, 2);
        (Tensor V, Tensor H) state = (x, x);
        foreach (var layer in layers) state = layer.forward(state);
        return head.forward(state.H).MoveToOuterDisposeScope();
    }
}
