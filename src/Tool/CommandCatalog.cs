using System.CommandLine;


namespace VqVae.Codec.Tool;

/// <summary>Every top-level command of vqz, in the order `vqz --help` lists them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All() => [];
}
