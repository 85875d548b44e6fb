using VqVae.Codec.Models.Files;

namespace VqVae.Codec.Tool;

/// <summary>--force as the output rule of <see cref="AtomicFile"/> (which owns what may be replaced).</summary>
internal static class OutputRule
{
    public static ExistingOutput Of(bool force) => force ? ExistingOutput.ReplaceRegularFile : ExistingOutput.Keep;
}
