using System.Text.Json.Nodes;
using VqVae.Codec.Models.Evaluation;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Models.Networks;
using VqVae.Codec.Models.Priors;
using VqVae.Codec.Models.Quantizers;
using VqVae.Codec.Models.Training;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Tests;

/// <summary>The checkerboard level prior: its two passes read only what a decoder has, it learns, and it survives its file.</summary>
public sealed class CheckerboardLevelPriorTests
{
    private const int H = 6, W = 7, D = 8, K = 16;

    private static CheckerboardLevelArchitecture Small => new()
    {
        LatentDim = D, LevelCodebookSizes = [K, 12], ContextChannels = 8, CodeChannels = 4, HiddenChannels = 8,
    };

    /// <summary>A prior with large random weights (every dependence visible).</summary>
    private static CheckerboardLevelPrior RandomPrior(int seed)
    {
        random.manual_seed(seed);
        var prior = new CheckerboardLevelPrior(Small);
        prior.eval();
        using (no_grad())
            foreach (var p in prior.parameters()) p.copy_(randn_like(p));
        return prior;
    }

    private static bool IsAnchor(int y, int x) => (x + y) % 2 == 0;

    [Fact]
    public void Pass_one_reads_no_own_code_and_pass_two_reads_only_the_anchor_neighbours()
    {
        using var scope = NewDisposeScope();
        using var prior = RandomPrior(3);
        using var _ = no_grad();
        var r = randn(1, D, H, W);
        for (int level = 2; level <= 3; level++)
        {
            int k = prior.Architecture.CodebookSizeOf(level);
            var codes = randint(0, k, [1, H, W]);
            var before = prior.Forward(r, level, codes);
            // Pass 1: change every code; no logit at an anchor may move.
            var all = (codes + 1 + randint(0, k - 1, [1, H, W])).remainder(k);
            var afterAll = prior.Forward(r, level, all);
            // Pass 2: change every non-anchor code (including the position itself); no logit at a non-anchor may move.
            var anchors = CheckerboardLevelPrior.AnchorMask(H, W).unsqueeze(0);
            var others = where(anchors, codes, all);
            var afterOthers = prior.Forward(r, level, others);
            int dependsOnAnchors = 0;
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                {
                    if (IsAnchor(y, x))
                    {
                        float d = (afterAll[0, .., y, x] - before[0, .., y, x]).abs().max().item<float>();
                        Assert.True(d == 0f, $"level {level}: the pass-1 logits at ({y}, {x}) changed by {d} with the level's own codes");
                    }
                    else
                    {
                        float d = (afterOthers[0, .., y, x] - before[0, .., y, x]).abs().max().item<float>();
                        Assert.True(d == 0f, $"level {level}: the pass-2 logits at ({y}, {x}) changed by {d} with the codes at other non-anchors");
                        if ((afterAll[0, .., y, x] - before[0, .., y, x]).abs().max().item<float>() > 1e-3f) dependsOnAnchors++;
                    }
                }
            Assert.True(dependsOnAnchors == H * W / 2, $"level {level}: only {dependsOnAnchors} non-anchors use their anchor neighbours");
        }
    }

    [Fact]
    public void Anchor_logits_are_those_with_no_own_code_at_all_and_a_non_anchor_reads_exactly_its_four_neighbours()
    {
        using var scope = NewDisposeScope();
        using var prior = RandomPrior(4);
        using var _ = no_grad();
        var r = randn(1, D, H, W);
        var codes = randint(0, K, [1, H, W]);
        var logits = prior.Forward(r, 2, codes);
        // With a zero embedding, m = 0 everywhere: the definition of pass 1.
        using (no_grad()) prior.EmbeddingOf(2).weight!.zero_();
        var none = prior.Forward(r, 2, codes);
        var anchors = CheckerboardLevelPrior.AnchorMask(H, W).view(1, 1, H, W).expand_as(logits);
        Assert.Equal(0f, (logits - none).abs().masked_select(anchors).max().item<float>());

        using var fresh = RandomPrior(4);
        var before = fresh.Forward(r, 2, codes);
        (int Y, int X) at = (2, 3);                                             // a non-anchor
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
            {
                if (!IsAnchor(y, x)) continue;
                var changed = codes.clone();
                changed[0, y, x] = (changed[0, y, x] + 5).remainder(K);
                float d = (fresh.Forward(r, 2, changed)[0, .., at.Y, at.X] - before[0, .., at.Y, at.X]).abs().max().item<float>();
                bool neighbour = Math.Abs(y - at.Y) + Math.Abs(x - at.X) == 1;
                Assert.True(neighbour ? d > 1e-4f : d == 0f, $"the anchor ({y}, {x}) changed the logits at {at} by {d}");
            }
    }

    [Fact]
    public void Save_and_load_give_identical_logits()
    {
        using var scope = NewDisposeScope();
        using var dir = TestData.TempDir();
        using var prior = RandomPrior(5);
        var path = dir.File("p.vql");
        var vqvaeDigest = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var digest = CheckerboardLevelModel.Save(prior, "p", vqvaeDigest, new JsonObject { ["x"] = 1 }, path);
        using var loaded = CheckerboardLevelModel.Load(path);
        Assert.Equal(digest, loaded.Digest);
        Assert.Equal(vqvaeDigest, loaded.VqVaeDigest);
        Assert.Equal(Small.LevelCodebookSizes, loaded.Prior.Architecture.LevelCodebookSizes);
        using var _ = no_grad();
        var r = randn(2, D, H, W);
        var codes = randint(0, 12, [2, H, W]);
        Assert.Equal(0f, (prior.Forward(r, 3, codes) - loaded.Prior.Forward(r, 3, codes)).abs().max().item<float>());
        Assert.Throws<ModelFileException>(() => PriorModel.Load(path));
    }

    [Fact]
    public void Architecture_is_validated_and_counts_its_multiply_adds()
    {
        var a = new CheckerboardLevelArchitecture();
        Assert.Equal(64 * 32 + (9 * 32 + 4 * 16) * 32 + 32 * 32 + 32 * 512, a.MultiplyAddsPerPosition(2));
        Assert.True(a.MultiplyAddsPerPosition(2) <= 40_000);
        Assert.Throws<InvalidOptionsException>(() => (a with { LevelCodebookSizes = [] }).Validate());
        Assert.Throws<InvalidOptionsException>(() => (a with { LevelCodebookSizes = [513] }).Validate());
        Assert.Throws<InvalidOptionsException>(() => a.CodebookSizeOf(5));
    }

    /// <summary>A tiny untrained network with two further levels, its prototypes seeded from noise latents.</summary>
    internal static VqVaeModel TinyLevels(int seed)
    {
        random.manual_seed(seed);
        var a = new VqVaeArchitecture
        {
            HiddenChannels = 16, ResidualChannels = 8, ResidualBlocks = 1, LatentDim = D, CodebookSize = 32,
            Levels = [new ResidualLevelArchitecture { Dim = 4, CodebookSize = K }, new ResidualLevelArchitecture { Dim = 4, CodebookSize = K }],
        };
        var network = new VqVaeNetwork(a, new QuantizerOptions());
        network.train();
        using (var scope = NewDisposeScope()) network.Forward(rand(8, 3, 32, 32) - 0.5, 0);
        network.eval();
        var bytes = VqVaeModel.ToFile(network, "tiny-levels", new JsonObject()).ToBytes();
        return new VqVaeModel(network, "tiny-levels", new JsonObject(), ModelFile.DigestOf(bytes));
    }

    [Fact]
    public void A_tiny_training_run_lowers_the_bits_per_code_of_every_level()
    {
        using var dir = TestData.TempDir();
        using var vqvae = TinyLevels(7);
        var data = TestData.CifarTrain(limit: 64);
        var held = TestData.CifarTest(limit: 16);
        var architecture = CheckerboardLevelArchitecture.For(vqvae.Network.Architecture) with { ContextChannels = 8, CodeChannels = 4, HiddenChannels = 16 };
        random.manual_seed(1);
        using var untrained = new CheckerboardLevelPrior(architecture);
        var before = LevelPriorEvaluator.Evaluate(untrained, vqvae.Network, held);
        var options = new TrainOptions { BatchSize = 16, MaxSteps = 60, WarmupSteps = 0, LearningRate = 1e-2, Threads = 1, Name = "t", CropSize = 16 };
        var setup = new LevelPriorTrainingSetup(vqvae, architecture, options, data, dir.File("t.vql"), false, new JsonObject());
        var result = LevelPriorTrainer.Run(setup, null, CancellationToken.None);
        Assert.Equal(60, result.Steps);
        using var trained = CheckerboardLevelModel.Load(dir.File("t.vql"));
        Assert.Equal(vqvae.Digest, trained.VqVaeDigest);
        var after = LevelPriorEvaluator.Evaluate(trained.Prior, vqvae.Network, held);
        Assert.Equal([2, 3], after.Select(r => r.Level));
        for (int i = 0; i < after.Count; i++)
            Assert.True(after[i].BitsPerCode < before[i].BitsPerCode - 0.3,
                $"level {after[i].Level}: {before[i].BitsPerCode:F3} -> {after[i].BitsPerCode:F3} bits/code (unigram {after[i].UnigramBits:F3})");
    }
}
