using System.Globalization;
using Spectre.Console;
using VqVae.Codec.Models.Training;

namespace VqVae.Codec.Tool.Terminal;

/// <summary>Shows a running training: a live progress bar on a terminal, a plain line per log interval otherwise.</summary>
internal static class TrainingView
{
    /// <summary>Runs <paramref name="train"/>, displaying the progress it reports.</summary>
    public static T Run<T>(ToolConsole console, string title, int plainEvery, Func<IProgress<TrainingProgress>, T> train)
    {
        if (!console.Interactive)
            return train(new Reporter(p =>
            {
                if (p.Step % plainEvery == 0 || p.Step == p.TotalSteps) console.Out.WriteLine(Describe(p, plain: true));
            }));
        T result = default!;
        console.Ansi.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                     new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(title, maxValue: 1);
                result = train(new Reporter(p =>
                {
                    task.MaxValue = p.TotalSteps;
                    task.Value = p.Step;
                    task.Description = Describe(p, plain: false);
                }));
                task.Value = task.MaxValue;
            });
        return result;
    }

    private static string Describe(TrainingProgress p, bool plain)
    {
        var terms = string.Join("  ", p.Terms
            .Where(t => t.Key != "imagesPerSecond")
            .Select(t => $"{t.Key} {t.Value.ToString(t.Value is > 100 or < -100 ? "F0" : "G4", CultureInfo.InvariantCulture)}"));
        var head = $"step {p.Step}/{p.TotalSteps} epoch {p.Epoch}/{p.Epochs}";
        var tail = $"{p.ImagesPerSecond:F0} img/s";
        if (plain) return $"{head}  {terms}  {tail}  eta {p.Remaining:hh\\:mm\\:ss}";
        return Markup.Escape($"{head}  {terms}  {tail}");
    }

    private sealed class Reporter(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
