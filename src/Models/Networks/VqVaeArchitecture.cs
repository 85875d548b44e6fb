using System.Text.Json.Serialization;

namespace VqVae.Codec.Models.Networks;

/// <summary>
/// The architecture of a VQ-VAE (thesis chapter 6): stored as JSON in the model file, so a model file
/// alone rebuilds its network. Defaults are the thesis's: 128 hidden channels, 32 residual channels,
/// two residual blocks, 64-dimensional latents, 512 prototypes, downsampling by 4.
/// </summary>
public sealed record VqVaeArchitecture
{
    /// <summary>Channels of the convolutions before and after the residual stack.</summary>
    public int HiddenChannels { get; init; } = 128;

    /// <summary>Channels inside each residual block (the 3x3 convolution's output).</summary>
    public int ResidualChannels { get; init; } = 32;

    /// <summary>Residual blocks in the encoder, and again in the decoder.</summary>
    public int ResidualBlocks { get; init; } = 2;

    /// <summary>D: the dimension of a latent vector and of a prototype.</summary>
    public int LatentDim { get; init; } = 64;

    /// <summary>K: the number of prototypes, the size of the code alphabet.</summary>
    public int CodebookSize { get; init; } = 512;

    /// <summary>Side of the image block that one latent vector represents: 4 (two stride-2 convolutions) or 8 (three).</summary>
    public int Downsampling { get; init; } = 4;

    /// <summary>Image channels the network reads and writes (RGB).</summary>
    public int ImageChannels { get; init; } = 3;

    /// <summary>
    /// The code levels after the first (residual VQ, issue 11): each quantizes a learned projection of what
    /// the earlier levels left of the latent. Null (the default, and every model file written before levels)
    /// is a one-level network; it is not written to the file, so one-level model files keep their bytes.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ResidualLevelArchitecture>? Levels { get; init; }

    /// <summary>How many code levels the network has: 1 + the further levels.</summary>
    [JsonIgnore] public int LevelCount => 1 + (Levels?.Count ?? 0);

    /// <summary>The number of stride-2 convolutions: log2 of <see cref="Downsampling"/>.</summary>
    public int StridedLayers => Downsampling switch
    {
        4 => 2,
        8 => 3,
        16 => 4,
        _ => throw new InvalidOptionsException($"downsampling must be 4, 8 or 16, not {Downsampling}"),
    };

    /// <summary>The most code levels a network (and a .vqz file) may have.</summary>
    public const int MaxLevels = 16;

    /// <summary>Throws when a field is out of its range.</summary>
    public VqVaeArchitecture Validate()
    {
        _ = StridedLayers;
        Require(HiddenChannels is >= 2 and <= 4096 && HiddenChannels % 2 == 0, "hiddenChannels must be an even number in 2..4096");
        Require(ResidualChannels is >= 1 and <= 4096, "residualChannels must be in 1..4096");
        Require(ResidualBlocks is >= 0 and <= 64, "residualBlocks must be in 0..64");
        Require(LatentDim is >= 1 and <= 4096, "latentDim must be in 1..4096");
        Require(CodebookSize is >= 2 and <= 65536, "codebookSize must be in 2..65536");
        Require(ImageChannels is 1 or 3, "imageChannels must be 1 or 3");
        Require(Levels is null || Levels.Count is >= 1 and <= MaxLevels - 1, $"levels must list 1..{MaxLevels - 1} further levels");
        foreach (var level in Levels ?? []) level.Validate(LatentDim);
        return this;
    }

    static void Require(bool ok, string message)
    {
        if (!ok) throw new InvalidOptionsException(message);
    }
}
