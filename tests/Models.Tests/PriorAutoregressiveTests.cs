using VqVae.Codec.Models.Priors;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Tests;

/// <summary>The autoregressive property (eq. 3.1): the code at j never changes the distribution at or before j.</summary>
public sealed class PriorAutoregressiveTests
{
    private const int H = 5, W = 6, K = 16;

    public static TheoryData<PriorKind> Kinds => new() { PriorKind.Made, PriorKind.PixelCnn, PriorKind.GatedPixelCnn, PriorKind.Unigram, PriorKind.Uniform };

    internal static PriorArchitecture Small(PriorKind kind) => new()
    {
        Kind = kind, CodebookSize = K, Channels = 8, Layers = 3, HeadChannels = 16, MadeHidden = 64, GridHeight = H, GridWidth = W,
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Changing_the_code_at_j_leaves_every_distribution_up_to_j_unchanged(PriorKind kind)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(5);
        var prior = PriorFactory.Create(Small(kind), Enumerable.Range(1, K).Select(i => (long)i).ToArray());
        prior.eval();
        // Large random weights make every dependence visible.
        using (no_grad()) foreach (var p in prior.parameters()) p.copy_(randn_like(p));
        using var _ = no_grad();
        var grid = randint(0, K, [1, H, W]);
        var before = prior.forward(grid).reshape(K, H * W);
        int leaksAfter = 0;
        for (int j = 0; j < H * W; j++)
        {
            var changed = grid.clone();
            changed.view(-1)[j] = (changed.view(-1)[j] + 1 + j % (K - 1)) % K;
            var after = prior.forward(changed).reshape(K, H * W);
            var upToJ = (after[.., ..(j + 1)] - before[.., ..(j + 1)]).abs().max().item<float>();
            Assert.True(upToJ < 1e-4f, $"{kind}: changing position {j} changed a distribution at or before it by {upToJ}");
            if (j + 1 < H * W && (after[.., j + 1] - before[.., j + 1]).abs().max().item<float>() > 1e-3f) leaksAfter++;
        }
        bool usesContext = kind is not (PriorKind.Unigram or PriorKind.Uniform);
        if (usesContext) Assert.True(leaksAfter > H * W / 2, $"{kind}: the next position depends on j in only {leaksAfter} cases");
    }

    [Fact]
    public void Gated_pixelcnn_has_no_blind_spot_where_the_plain_pixelcnn_has_one()
    {
        // Figure 3.2: stacked masked 3x3 layers reach the row above only one column to the right of (i, j), at any
        // depth (type B kernels never look right in their own row); the gated vertical stack widens by p per layer.
        using var scope = NewDisposeScope();
        random.manual_seed(9);
        bool Sees(PriorKind kind, int fromRow, int fromCol, int atRow, int atCol)
        {
            var prior = PriorFactory.Create(Small(kind) with { Layers = 2, FirstKernelSize = 3 });
            using (no_grad()) foreach (var p in prior.parameters()) p.copy_(randn_like(p));
            using var _ = no_grad();
            var grid = zeros([1, H, W], ScalarType.Int64);
            var a = prior.forward(grid)[0, .., atRow, atCol];
            grid[0, fromRow, fromCol] = tensor(3L);
            var b = prior.forward(grid)[0, .., atRow, atCol];
            return (a - b).abs().max().item<float>() > 1e-4f;
        }
        Assert.False(Sees(PriorKind.PixelCnn, 1, 4, 2, 1));   // up-right of the one-step reach: the blind spot
        Assert.True(Sees(PriorKind.GatedPixelCnn, 1, 4, 2, 1));  // 3 gated layers reach 3 columns right
    }
}
