using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using VqVae.Codec.Pipeline;

namespace VqVae.Codec;

/// <summary>Quality presets: each names a pair of models (and a prior tiling) among the installed models.</summary>
public enum VqzQuality
{
    /// <summary>Downsampling 8: a quarter of the codes of <see cref="High"/>.</summary>
    Low,
    /// <summary>Between Low and High, where a preset for it is installed (the built-in models have none).</summary>
    Medium,
    /// <summary>Downsampling 4.</summary>
    High,
    /// <summary>The most code levels the installed presets send (where a preset for it is installed).</summary>
    Max,
}

/// <summary>Where the VQ-VAE's networks run. The prior always runs on the CPU (it must be bit-exact).</summary>
public enum VqzDevice
{
    /// <summary>The CPU.</summary>
    Cpu,
    /// <summary>A CUDA GPU: needs the CUDA build of TorchSharp (README, "GPU").</summary>
    Cuda,
}

/// <summary>When a .vqz file names its models (MODEL-NAMES chunk: names and SHA-256 digests).</summary>
public enum VqzModelNames
{
    /// <summary>Only for models that are not built in (every copy of vqz knows the built-in ones).</summary>
    UnlessBuiltIn,
    /// <summary>Always.</summary>
    Always,
    /// <summary>Never.</summary>
    Never,
}

/// <summary>When a .vqz file carries the CRC-32C of its code grid (GRID-CHECKSUM, spec/vqz.md §4.5).</summary>
public enum VqzGridChecksum
{
    /// <summary>For images of more than 64 x 64 pixels, where its 7 bytes are under 1 % of a file.</summary>
    Auto,
    /// <summary>Always (the file is then a format 1.1 file).</summary>
    Always,
    /// <summary>Never.</summary>
    Never,
}

/// <summary>
/// Options of a <see cref="VqzCodec"/>. Every default is the library's own (<c>CodecOptions.Default</c>),
/// read from there, so the CLI and this class cannot disagree. Copy with <c>with</c>:
/// <c>VqzCodecOptions.Default with { Quality = VqzQuality.Low }</c>.
/// </summary>
public sealed record VqzCodecOptions
{
    private static readonly CodecOptions Defaults = CodecOptions.Default;

    /// <summary>The defaults: high quality, CPU, verified, every core, the preset's tiling, no embedded models.</summary>
    public static VqzCodecOptions Default { get; } = new();

    /// <summary>Preset used to choose the models for an image.</summary>
    public VqzQuality Quality { get; init; } = FromQuality(Defaults.Quality);

    /// <summary>Where the VQ-VAE runs.</summary>
    public VqzDevice Device { get; init; } = Defaults.Device.IsCuda ? VqzDevice.Cuda : VqzDevice.Cpu;

    /// <summary>
    /// Decode each file just written and compare its codes with the encoded ones (an
    /// <see cref="InvalidOperationException"/> if they differ); gives <see cref="VqzEncoded.Psnr"/>.
    /// </summary>
    public bool Verify { get; init; } = Defaults.Verify;

    /// <summary>Threads of the prior evaluator; 0 uses every core. The output does not depend on it.</summary>
    public int Threads { get; init; } = Defaults.Threads;

    /// <summary>Prior tile side in codes (0 = the whole grid, else a power of two from 4 to 256); null takes the preset's.</summary>
    public int? TileSide { get; init; } = OptionModule.ToNullable(Defaults.TileSide);

    /// <summary>Carry the model files in each .vqz file (so any copy of vqz decodes it), at the cost of their size.</summary>
    public bool EmbedModels { get; init; } = Defaults.EmbedModels;

    /// <summary>UTF-8 key/value pairs written to a METADATA chunk, in this order; empty writes none.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Metadata { get; init; } = [.. Defaults.Metadata.Select(m => KeyValuePair.Create(m.Item1, m.Item2))];

    /// <summary>When the file names its models.</summary>
    public VqzModelNames ModelNames { get; init; } =
        Defaults.ModelNames.IsAlways ? VqzModelNames.Always : Defaults.ModelNames.IsNever ? VqzModelNames.Never : VqzModelNames.UnlessBuiltIn;

    /// <summary>When the file carries the checksum of its code grid.</summary>
    public VqzGridChecksum GridChecksum { get; init; } =
        Defaults.GridChecksum.IsAlways ? VqzGridChecksum.Always : Defaults.GridChecksum.IsNever ? VqzGridChecksum.Never : VqzGridChecksum.Auto;

    /// <summary>Code levels to send (1 = the first grid only): the rate knob of models with levels; null takes the preset's.</summary>
    public int? Levels { get; init; }

    /// <summary>Most pixels of an image encoded or a file decoded (width x height), checked before any work (a 4000 x 3000 photo needs about 1.3 GB: README, Big photos).</summary>
    public long MaxPixels { get; init; } = Defaults.MaxPixels;

    /// <summary>
    /// Entropy-constrained code choice: what a bit is worth, in units of a code level's mean distance to its
    /// nearest prototype (0, the default, picks the nearest prototype; docs/levels.md §4.5). Only the encoder
    /// chooses, so files decode the same way whatever it is.
    /// </summary>
    public double RateLambda { get; init; } = Defaults.RateLambda;

    /// <summary>The library's options record for these options; <see cref="ArgumentOutOfRangeException"/> for a value out of range.</summary>
    internal CodecOptions ToCodecOptions()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Threads, nameof(Threads));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxPixels, nameof(MaxPixels));
        if (Levels is { } levels && (levels < 1 || levels > 16))
            throw new ArgumentOutOfRangeException(nameof(Levels), levels, "code levels are 1 to 16");
        if (TileSide is { } side && side != 0 && (side < 4 || side > 256 || (side & (side - 1)) != 0))
            throw new ArgumentOutOfRangeException(nameof(TileSide), side, "a tile side is 0 (whole grid) or a power of two from 4 to 256");
        if (!Models.Quantizers.CodeChoice.IsValidRateLambda(RateLambda))
            throw new ArgumentOutOfRangeException(nameof(RateLambda), RateLambda, Models.Quantizers.CodeChoice.RateLambdaRange);
        return new CodecOptions(
            Quality switch { VqzQuality.Low => Pipeline.Quality.Low, VqzQuality.Medium => Pipeline.Quality.Medium, VqzQuality.Max => Pipeline.Quality.Max, _ => Pipeline.Quality.High },
            Device == VqzDevice.Cuda ? ComputeDevice.Cuda : ComputeDevice.Cpu,
            Verify,
            Threads,
            TileSide is { } t ? FSharpOption<int>.Some(t) : FSharpOption<int>.None,
            Levels is { } n ? FSharpOption<int>.Some(n) : FSharpOption<int>.None,
            EmbedModels,
            ModelNames switch { VqzModelNames.Always => ModelNamesPolicy.Always, VqzModelNames.Never => ModelNamesPolicy.Never, _ => ModelNamesPolicy.UnlessBuiltIn },
            ListModule.OfSeq(Metadata.Select(m => Tuple.Create(m.Key, m.Value))),
            GridChecksum switch { VqzGridChecksum.Always => GridChecksumPolicy.Always, VqzGridChecksum.Never => GridChecksumPolicy.Never, _ => GridChecksumPolicy.Auto },
            MaxPixels,
            Defaults.NetworkTilePixels,
            RateLambda);
    }

    private static VqzQuality FromQuality(Pipeline.Quality q) =>
        q.IsLow ? VqzQuality.Low : q.IsMedium ? VqzQuality.Medium : q.IsMax ? VqzQuality.Max : VqzQuality.High;
}
