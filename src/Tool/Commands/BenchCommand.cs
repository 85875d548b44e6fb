using System.CommandLine;

namespace VqVae.Codec.Tool.Commands;

/// <summary>`vqz bench`: benchmarks (commands, never timed tests).</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks: training throughput, entropy coder, codec speed.");
        command.Subcommands.Add(BenchTrainCommand.Create());
        return command;
    }
}
