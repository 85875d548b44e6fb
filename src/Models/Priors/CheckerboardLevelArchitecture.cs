using System.Text.Json.Serialization;
using VqVae.Codec.Models.Networks;

namespace VqVae.Codec.Models.Priors;

/// <summary>
/// The architecture of the checkerboard level prior (docs/levels.md §4.1, spec/prior.md §6): the entropy
/// model of every code level after the first. Stored as JSON in its model file. Defaults in one place.
/// The levels it supports, L_max = 1 + <see cref="LevelCodebookSizes"/>.Count, are part of it: one
/// embedding and one head per further level, the rest shared.
/// </summary>
public sealed record CheckerboardLevelArchitecture
{
    /// <summary>D: the latent dimension of the VQ-VAE (the reconstruction so far is a D-vector per position).</summary>
    public int LatentDim { get; init; } = 64;

    /// <summary>K_l of levels 2, 3, ...: one entry per level the prior supports (at most 512 each).</summary>
    public IReadOnlyList<int> LevelCodebookSizes { get; init; } = [512, 512, 512];

    /// <summary>C_a: channels of the 1x1 projection of the reconstruction so far (and of the level bias added to it).</summary>
    public int ContextChannels { get; init; } = 32;

    /// <summary>E: dimension of the embedding of the level's own codes at anchors (pass 2).</summary>
    public int CodeChannels { get; init; } = 16;

    /// <summary>C_h: channels of the 3x3 layer and of the 1x1 residual layer before the heads.</summary>
    public int HiddenChannels { get; init; } = 32;

    /// <summary>L_max: the highest level the prior can code (levels 2..L_max).</summary>
    [JsonIgnore] public int MaxLevel => 1 + LevelCodebookSizes.Count;

    /// <summary>K of level <paramref name="level"/> (2..L_max).</summary>
    public int CodebookSizeOf(int level) => level >= 2 && level <= MaxLevel
        ? LevelCodebookSizes[level - 2]
        : throw new InvalidOptionsException($"the level prior codes levels 2..{MaxLevel}, not level {level}");

    /// <summary>Multiply-adds per position per level (every layer, K of the given level).</summary>
    public long MultiplyAddsPerPosition(int level) =>
        (long)LatentDim * ContextChannels + (9L * ContextChannels + 4L * CodeChannels) * HiddenChannels
        + (long)HiddenChannels * HiddenChannels + (long)HiddenChannels * CodebookSizeOf(level);

    /// <summary>The architecture for the further levels of a VQ-VAE with <paramref name="vqvae"/>'s architecture.</summary>
    public static CheckerboardLevelArchitecture For(VqVaeArchitecture vqvae) => new CheckerboardLevelArchitecture
    {
        LatentDim = vqvae.LatentDim,
        LevelCodebookSizes = (vqvae.Levels ?? []).Select(l => l.CodebookSize).ToArray(),
    }.Validate();

    /// <summary>Throws when a field is out of range.</summary>
    public CheckerboardLevelArchitecture Validate()
    {
        if (LatentDim is < 1 or > 4096) throw new InvalidOptionsException("latentDim must be in 1..4096");
        if (LevelCodebookSizes is null || LevelCodebookSizes.Count is < 1 or >= VqVaeArchitecture.MaxLevels)
            throw new InvalidOptionsException($"a level prior needs 1..{VqVaeArchitecture.MaxLevels - 1} further levels (the VQ-VAE has none?)");
        foreach (var k in LevelCodebookSizes)
            if (k is < 2 or > ResidualLevelArchitecture.MaxCodebookSize)
                throw new InvalidOptionsException($"a level's codebook size must be in 2..{ResidualLevelArchitecture.MaxCodebookSize}, not {k}");
        if (ContextChannels is < 1 or > 1024 || CodeChannels is < 1 or > 1024 || HiddenChannels is < 1 or > 1024)
            throw new InvalidOptionsException("level prior channels must be in 1..1024");
        return this;
    }

    /// <summary>Throws unless the prior fits the further levels of <paramref name="vqvae"/> (D, and K of each level it has).</summary>
    public void CheckFits(VqVaeArchitecture vqvae)
    {
        if (vqvae.LatentDim != LatentDim) throw new InvalidOptionsException($"the level prior reads D = {LatentDim}, the VQ-VAE has D = {vqvae.LatentDim}");
        var levels = vqvae.Levels ?? [];
        if (levels.Count == 0) throw new InvalidOptionsException("the VQ-VAE has no code levels after the first");
        for (int i = 0; i < Math.Min(levels.Count, LevelCodebookSizes.Count); i++)
            if (levels[i].CodebookSize != LevelCodebookSizes[i])
                throw new InvalidOptionsException($"level {i + 2}: the prior has K = {LevelCodebookSizes[i]}, the VQ-VAE K = {levels[i].CodebookSize}");
    }
}
