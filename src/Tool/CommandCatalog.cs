using System.CommandLine;
using VqVae.Codec.Tool.Commands;

namespace VqVae.Codec.Tool;

/// <summary>Every top-level command of vqz, in the order `vqz --help` lists them.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All() =>
    [
        CompressCommand.Create(),
        DecompressCommand.Create(),
        RoundtripCommand.Create(),
        InfoCommand.Create(),
        TrainCommand.Create(),
        EvalCommand.Create(),
        SampleCommand.Create(),
        ReportCommand.Create(),
        PlotCommand.Create(),
        BenchCommand.Create(),
    ];
}
