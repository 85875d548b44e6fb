using System.Diagnostics;

namespace VqVae.Codec.Fuzz;

/// <summary>Runs a target once on each file (no AFL++): for triage of crashes and hangs, and to check a
/// corpus. Prints one line per file: ok (clean outcome) or the exception that escaped, and the time.</summary>
internal static class Replay
{
    public static int Run(Action<byte[]> target, IEnumerable<string> paths)
    {
        var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p).Order() : (IEnumerable<string>)[p]).ToList();
        int failures = 0;
        foreach (var file in files)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                target(File.ReadAllBytes(file));
                Console.WriteLine($"ok    {clock.Elapsed.TotalMilliseconds,9:F1} ms  {file}");
            }
            catch (Exception e)
            {
                failures++;
                Console.WriteLine($"CRASH {clock.Elapsed.TotalMilliseconds,9:F1} ms  {file}: {e.GetType().Name}: {e.Message}");
                Console.WriteLine(e.StackTrace);
            }
        }
        Console.WriteLine($"{files.Count} input(s), {failures} crash(es)");
        return failures == 0 ? 0 : 1;
    }
}
