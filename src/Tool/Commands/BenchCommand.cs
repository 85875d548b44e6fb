using System.CommandLine;

namespace VqVae.Codec.Tool.Commands;

/// <summary>`vqz bench`: benchmarks (commands, never timed tests). One file per subcommand.</summary>
internal static class BenchCommand
{
    /// <summary>The subcommands, in the order `vqz bench --help` lists them; add new ones here.</summary>
    private static IEnumerable<Command> Subcommands() =>
    [
        BenchTrainCommand.Create(),
        BenchCoderCommand.Create(),
        BenchCodecCommand.Create(),
    ];

    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks: training throughput, entropy coder, codec speed.");
        foreach (var subcommand in Subcommands()) command.Subcommands.Add(subcommand);
        return command;
    }
}
