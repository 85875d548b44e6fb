using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Priors;

/// <summary>
/// The checkerboard level prior (docs/levels.md §4.1; spec/prior.md §6): the probabilities of the codes of a
/// level l ≥ 2 given the reconstruction so far R = w1[c1] + Σ_{2≤j&lt;l} Up_j e_j[c_j] (a D-vector per position)
/// and, in pass 2, the level's own codes at the anchors ((x + y) even). Pass 1 codes the anchors, pass 2 the rest:
/// <code>
///   a  = context(R) + levelBias[l]                       1x1, D -> C_a
///   m  = E_l[c] at anchors, 0 elsewhere                 E_l: [K_l, E]
///   h1 = relu(mix(a) + codes(m))                        3x3 zero-padded; codes' kernel masked to the cross (the 4 neighbours)
///   h2 = relu(hidden(h1)) + h1                          1x1, C_h -> C_h
///   logits = head_l(h2)                                 1x1, C_h -> K_l
/// </code>
/// The cross mask is what makes one forward pass give both passes' logits: the four neighbours of an anchor
/// are non-anchors, where m is 0, so the logits at anchors never depend on any own code (pass 1), and those
/// at a non-anchor read only the codes of its four anchor neighbours (pass 2). One set of weights serves
/// every level: the codes of each level mean different things, so each has its own embedding and head
/// (and K_l), and a learned bias per level, added to a, tells the shared layers which level they model.
/// </summary>
public sealed class CheckerboardLevelPrior : nn.Module
{
    private readonly Conv2d context;
    private readonly Parameter levelBias;
    private readonly Conv2d mix;
    private readonly Conv2d codes;
    private readonly Conv2d hidden;
    private readonly ModuleList<Embedding> embeddings;
    private readonly ModuleList<Conv2d> heads;
    private readonly Tensor crossMask;

    /// <summary>Builds the network of <paramref name="a"/> (freshly initialised).</summary>
    public CheckerboardLevelPrior(CheckerboardLevelArchitecture a) : base(nameof(CheckerboardLevelPrior))
    {
        Architecture = a.Validate();
        int levels = a.LevelCodebookSizes.Count;
        context = nn.Conv2d(a.LatentDim, a.ContextChannels, 1);
        levelBias = new Parameter(zeros(levels, a.ContextChannels));
        mix = nn.Conv2d(a.ContextChannels, a.HiddenChannels, 3, padding: 1);
        codes = nn.Conv2d(a.CodeChannels, a.HiddenChannels, 3, padding: 1, bias: false);
        hidden = nn.Conv2d(a.HiddenChannels, a.HiddenChannels, 1);
        embeddings = new ModuleList<Embedding>();
        heads = new ModuleList<Conv2d>();
        foreach (var k in a.LevelCodebookSizes)
        {
            embeddings.Add(nn.Embedding(k, a.CodeChannels));
            heads.Add(nn.Conv2d(a.HiddenChannels, k, 1));
        }
        var mask = zeros(1, 1, 3, 3);
        foreach (var (r, s) in CrossTaps) mask[0, 0, r, s] = tensor(1f);
        crossMask = mask;
        using (no_grad()) codes.weight!.mul_(crossMask);                 // the taps outside the cross stay 0 (their gradient is 0)
        register_module("context", context);
        register_parameter("level_bias", levelBias);
        register_module("mix", mix);
        register_module("codes", codes);
        register_module("hidden", hidden);
        register_module("embeddings", embeddings);
        register_module("heads", heads);
        register_buffer("cross_mask", crossMask, persistent: false);
    }

    /// <summary>The taps (row, column of the 3x3 kernel) of the own-code convolution, in the evaluator's order: up, left, right, down.</summary>
    public static readonly (int Row, int Column)[] CrossTaps = [(0, 1), (1, 0), (1, 2), (2, 1)];

    /// <summary>The architecture the prior was built from.</summary>
    public CheckerboardLevelArchitecture Architecture { get; }

    /// <summary>1x1 D -> C_a over the reconstruction so far.</summary>
    public Conv2d Context => context;

    /// <summary>The level biases [L_max - 1, C_a], row l - 2 for level l.</summary>
    public Tensor LevelBias => levelBias;

    /// <summary>3x3 C_a -> C_h over a (with the bias of the layer).</summary>
    public Conv2d Mix => mix;

    /// <summary>3x3 E -> C_h over m, no bias; only the cross taps are used.</summary>
    public Conv2d Codes => codes;

    /// <summary>1x1 C_h -> C_h.</summary>
    public Conv2d Hidden => hidden;

    /// <summary>The own-code embedding of level <paramref name="level"/> [K_l, E].</summary>
    public Embedding EmbeddingOf(int level) => embeddings[Index(level)];

    /// <summary>The head of level <paramref name="level"/>: 1x1 C_h -> K_l.</summary>
    public Conv2d HeadOf(int level) => heads[Index(level)];

    private int Index(int level)
    {
        Architecture.CodebookSizeOf(level);
        return level - 2;
    }

    /// <summary>The anchor mask [H, W] (true where (x + y) is even): the positions of pass 1.</summary>
    public static Tensor AnchorMask(long height, long width)
    {
        using var scope = NewDisposeScope();
        var sum = ScalarLifetimes.Arange(height).view(-1, 1).Plus(ScalarLifetimes.Arange(width).view(1, -1));
        return sum.Remainder(2).EqualTo(0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Logits [B, K_l, H, W] of level <paramref name="level"/>'s codes [B, H, W] given the reconstruction so far
    /// [B, D, H, W]: at anchors the pass-1 logits (no own code read), elsewhere the pass-2 logits (the codes at
    /// the four anchor neighbours read).
    /// </summary>
    public Tensor Forward(Tensor reconstruction, int level, Tensor levelCodes)
    {
        int i = Index(level);
        using var scope = NewDisposeScope();
        long h = levelCodes.shape[1], w = levelCodes.shape[2];
        var a = context.forward(reconstruction).Plus(levelBias[i].view(1, -1, 1, 1));
        var anchors = AnchorMask(h, w).to(reconstruction.device).to_type(reconstruction.dtype).view(1, 1, h, w);
        var m = embeddings[i].forward(levelCodes).permute(0, 3, 1, 2) * anchors;
        var h1 = nn.functional.relu(mix.forward(a).Plus(nn.functional.conv2d(m, codes.weight! * crossMask, padding: [1, 1])));
        var h2 = nn.functional.relu(hidden.forward(h1)).Plus(h1);
        return heads[i].forward(h2).MoveToOuterDisposeScope();
    }

    /// <summary>Cross-entropy in nats per code (both passes) of level <paramref name="level"/>'s codes.</summary>
    public Tensor NegativeLogLikelihood(Tensor reconstruction, int level, Tensor levelCodes)
    {
        using var scope = NewDisposeScope();
        return nn.functional.cross_entropy(Forward(reconstruction, level, levelCodes), levelCodes).MoveToOuterDisposeScope();
    }
}
