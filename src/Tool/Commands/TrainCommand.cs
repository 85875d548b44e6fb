using System.CommandLine;

namespace VqVae.Codec.Tool.Commands;

/// <summary>`vqz train`: the parent of the training commands of both stages.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var command = new Command("train", "Train models: Stage 1 (the VQ-VAE) and Stage 2 (the prior over code grids).");
        command.Subcommands.Add(TrainVqVaeCommand.Create());
        command.Subcommands.Add(TrainPriorCommand.Create());
        command.Subcommands.Add(TrainLevelsCommand.Create());
        command.Subcommands.Add(TrainLevelPriorCommand.Create());
        command.Subcommands.Add(TrainExportCommand.Create());
        return command;
    }
}
