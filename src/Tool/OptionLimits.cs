using System.CommandLine;

namespace VqVae.Codec.Tool;

/// <summary>Ranges of numeric options, checked when the command line is parsed (a value outside is exit 2, before any work).</summary>
internal static class OptionLimits
{
    /// <summary>Most threads or parallel jobs: 256, far above the cores of any machine vqz runs on; a huge value
    /// would otherwise create that many threads (--threads 100000 hung).</summary>
    public const int MaxThreads = 256;

    /// <summary>Adds a check that the value is in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<int> InRange(this Option<int> option, int min, int max)
    {
        option.Validators.Add(result =>
        {
            int value = result.GetValueOrDefault<int>();
            if (value < min || value > max) result.AddError($"{option.Name} must be from {min} to {max} (got {value})");
        });
        return option;
    }

    /// <summary>Adds the check of a prior tile side: 0 (whole grid) or a power of two from 4 to 256 (spec §4).</summary>
    public static Option<int?> TileSide(this Option<int?> option)
    {
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is int side && side != 0 && (side < 4 || side > 256 || (side & (side - 1)) != 0))
                result.AddError($"{option.Name} must be 0 or a power of two from 4 to 256 (got {side})");
        });
        return option;
    }
}
