using System.CommandLine;

namespace VqVae.Codec.Tool.Commands;

/// <summary>`vqz eval`: the parent of the evaluation commands.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var command = new Command("eval", "Evaluate models and the codec on a data set.");
        command.Subcommands.Add(EvalVqVaeCommand.Create());
        command.Subcommands.Add(EvalPriorCommand.Create());
        command.Subcommands.Add(EvalLevelPriorCommand.Create());
        command.Subcommands.Add(EvalCodecCommand.Create());
        return command;
    }
}
