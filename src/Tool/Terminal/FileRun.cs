using Spectre.Console;

namespace VqVae.Codec.Tool.Terminal;

/// <summary>Runs a per-file action over many files, with a progress bar on a terminal when there are several.</summary>
internal static class FileRun
{
    public static async Task ForEach(ToolConsole console, int count, int jobs, string title, CancellationToken cancel, Action<int> work)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, jobs), CancellationToken = cancel };
        if (!console.Interactive || count == 1)
        {
            await Parallel.ForAsync(0, count, options, (i, _) => { work(i); return ValueTask.CompletedTask; });
            return;
        }
        await console.Ansi.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(title, maxValue: count);
                await Parallel.ForAsync(0, count, options, (i, _) =>
                {
                    work(i);
                    task.Increment(1);
                    return ValueTask.CompletedTask;
                });
            });
    }

    /// <summary>
    /// Runs <paramref name="work"/> (which reports finished files through the callback it is given) with a
    /// progress bar and the time left on a terminal; plain (no bar) when output is a file or pipe.
    /// </summary>
    public static async Task WithProgress(ToolConsole console, int count, string title, Action<Action<int>> work)
    {
        if (!console.Interactive || count == 1)
        {
            work(_ => { });
            return;
        }
        await console.Ansi.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(ctx =>
            {
                var task = ctx.AddTask(title, maxValue: count);
                return Task.Run(() => work(done => task.Increment(done)));
            });
    }
}
