using System.CommandLine;

namespace VqVae.Codec.Tool;

/// <summary>Options shared by several commands.</summary>
internal static class CommonOptions
{
    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Print stack traces and diagnostic detail on errors.",
        Recursive = true,
    };
}
