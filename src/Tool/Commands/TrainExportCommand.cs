using System.CommandLine;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Models.Training;
using VqVae.Codec.Tool.Terminal;

namespace VqVae.Codec.Tool.Commands;

/// <summary>
/// `vqz train export`: the model file inside a training checkpoint (any trainer's <c>*.ckpt</c>), so a run
/// that is still going can be evaluated or used as it stands. The file is what the run would write if it
/// stopped at that step: its training record names the steps done.
/// </summary>
internal static class TrainExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Argument<string>("checkpoint") { Description = "A training checkpoint (<out>.ckpt of vqz train ...)." };
        var output = new Option<string>("--out", "-o") { Description = "Model file to write (.vqm, .vqp or .vql, as the run's).", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace <out> if it exists." };

        var command = new Command("export", "Write the model of a training checkpoint (a run still going) as a model file.");
        command.Arguments.Add(checkpoint);
        command.Options.Add(output);
        command.Options.Add(force);
        command.SetAction((p, cancel) =>
        {
            var console = ToolConsole.For(p);
            var (inPath, outPath) = (p.GetValue(checkpoint)!, p.GetValue(output)!);
            var existing = OutputRule.Of(p.GetValue(force));
            if (Path.GetFullPath(inPath) == Path.GetFullPath(outPath))
                throw new UsageException($"--out {outPath} is the checkpoint itself");
            AtomicFile.Check(outPath, existing);
            var ckpt = Checkpoint.Load(inPath);
            var model = ModelFile.Parse(ckpt.Model, inPath);   // a checkpoint whose model part is not a model file fails here, naming the field
            AtomicFile.Write(outPath, ckpt.Model, existing);
            console.Out.WriteLine(
                $"wrote {outPath} (sha256 {Convert.ToHexStringLower(ModelFile.DigestOf(ckpt.Model))}): '{model.Name}', a {model.Kind} model at step {ckpt.Step} (epoch {ckpt.Epoch + 1}, batch {ckpt.Batch})");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
