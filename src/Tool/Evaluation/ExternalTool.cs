using System.Diagnostics;

namespace VqVae.Codec.Tool.Evaluation;

/// <summary>A command-line program found on PATH, run without a shell, with its arguments as a list.</summary>
internal sealed class ExternalTool
{
    /// <summary>Longest time one run may take; a run of a standard codec on one image takes well under a second.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private ExternalTool(string name, string path)
    {
        Name = name;
        FullPath = path;
    }

    /// <summary>The program's name (cjpeg).</summary>
    public string Name { get; }

    /// <summary>Where it was found.</summary>
    public string FullPath { get; }

    /// <summary>The executable <paramref name="name"/> in a directory of PATH, or null.</summary>
    public static ExternalTool? Find(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0))
                return new ExternalTool(name, candidate);
        }
        return null;
    }

    /// <summary>Runs the program to the end and returns its wall-clock time in milliseconds (process start included).</summary>
    /// <exception cref="ExternalToolException">It exits with a non-zero code or takes longer than <see cref="Timeout"/>.</exception>
    public double Run(IEnumerable<string> arguments, CancellationToken cancel)
    {
        var start = new ProcessStartInfo(FullPath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            CreateNoWindow = true,
        };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new ExternalToolException($"{Name} could not be started");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancel);
        var error = process.StandardError.ReadToEndAsync(cancel);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(Timeout);
        try
        {
            process.WaitForExitAsync(timeout.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancel.ThrowIfCancellationRequested();
            throw new ExternalToolException($"{Name} did not finish within {Timeout.TotalMinutes:F0} minutes");
        }
        double ms = clock.Elapsed.TotalMilliseconds;
        _ = output.GetAwaiter().GetResult();
        var stderr = error.GetAwaiter().GetResult().Trim();
        if (process.ExitCode != 0)
            throw new ExternalToolException($"{Name} exited with code {process.ExitCode}" + (stderr.Length > 0 ? $": {FirstLine(stderr)}" : ""));
        return ms;
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}

/// <summary>An external codec program failed.</summary>
internal sealed class ExternalToolException(string message) : Exception(message);
