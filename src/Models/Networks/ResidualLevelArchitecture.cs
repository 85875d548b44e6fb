using System.Text.Json.Serialization;

namespace VqVae.Codec.Models.Networks;

/// <summary>
/// A further code level (residual VQ, level 2 on): the width of the learned projection its codebook lives
/// in and the number of its prototypes. Level 1 is the thesis's quantizer on the full D-dimensional latent.
/// </summary>
public sealed record ResidualLevelArchitecture
{
    /// <summary>d: the dimension the level's projection maps the D-dimensional residual to (4 to 16 in published codecs).</summary>
    public int Dim { get; init; } = 8;

    /// <summary>K of this level: at most 512, so that every symbol a file carries stays 512-ary or smaller.</summary>
    public int CodebookSize { get; init; } = 512;

    /// <summary>The largest codebook a level may have (the symbols of a .vqz file are at most 512-ary).</summary>
    [JsonIgnore] public const int MaxCodebookSize = 512;

    /// <summary>Throws when a field is out of range for a network with latent dimension <paramref name="latentDim"/>.</summary>
    public ResidualLevelArchitecture Validate(int latentDim)
    {
        if (Dim < 1 || Dim > latentDim) throw new InvalidOptionsException($"a level's dim must be in 1..{latentDim} (the latent dimension), not {Dim}");
        if (CodebookSize is < 2 or > MaxCodebookSize) throw new InvalidOptionsException($"a level's codebookSize must be in 2..{MaxCodebookSize}, not {CodebookSize}");
        return this;
    }
}
