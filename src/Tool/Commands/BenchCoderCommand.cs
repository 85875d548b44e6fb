using System.CommandLine;
using Spectre.Console;
using VqVae.Codec.Entropy;
using VqVae.Codec.Tool.Terminal;

namespace VqVae.Codec.Tool.Commands;

/// <summary>
/// <c>vqz bench coder</c>: codes random symbols drawn from random skewed (Dirichlet) distributions and
/// reports the coded size against the ideal and the speed, on one core.
/// </summary>
internal static class BenchCoderCommand
{
    public static Command Create()
    {
        var defaults = CoderBenchmarkOptions.Default;
        var symbols = new Option<int>("--symbols") { Description = "Symbols to code.", DefaultValueFactory = _ => defaults.Symbols };
        var alphabet = new Option<int>("--alphabet") { Description = "Alphabet size (2 .. 65536).", DefaultValueFactory = _ => defaults.Alphabet };
        var distributions = new Option<int>("--distributions") { Description = "Random distributions the symbols are drawn from.", DefaultValueFactory = _ => defaults.Distributions };
        var seed = new Option<int>("--seed") { Description = "Seed of the random draws.", DefaultValueFactory = _ => defaults.Seed };
        AtLeast(symbols, 1);
        AtLeast(alphabet, 2);
        AtMost(alphabet, Precision.MaxAlphabet);
        AtLeast(distributions, 1);

        var command = new Command("coder", "Measure the range coder: size against the ideal, encode and decode speed.")
        {
            symbols, alphabet, distributions, seed,
        };
        command.SetAction(parseResult =>
        {
            var options = new CoderBenchmarkOptions(
                parseResult.GetValue(symbols), parseResult.GetValue(alphabet),
                parseResult.GetValue(distributions), parseResult.GetValue(seed));
            var result = CoderBenchmark.run(options);
            Render(result, ToolConsole.For(parseResult).Ansi);
            return result.RoundTripOk ? ExitCodes.Ok : ExitCodes.InternalError;
        });
        return command;
    }

    private static void AtLeast(Option<int> option, int minimum) =>
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < minimum) r.AddError($"{option.Name} must be at least {minimum}.");
        });

    private static void AtMost(Option<int> option, int maximum) =>
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() > maximum) r.AddError($"{option.Name} must be at most {maximum}.");
        });

    private static void Render(CoderBenchmarkResult r, IAnsiConsole console)
    {
        var o = r.Options;
        var table = new Table()
            .Title($"range coder, {o.Symbols:N0} symbols, alphabet {o.Alphabet}, {o.Distributions} distributions, seed {o.Seed}")
            .AddColumn("Measure").AddColumn(new TableColumn("Value").RightAligned());
        table.AddRow("source bits (-log2 p, float distributions)", $"{r.SourceBits:N0}");
        table.AddRow("ideal bits (-log2 f/65536, 16-bit tables)", $"{r.IdealBits:N0}");
        table.AddRow("coded bits", $"{r.CodedBits:N0}");
        table.AddRow("overhead over ideal", $"{r.OverheadPercent:F4} %");
        table.AddRow("table quantisation cost", $"{r.QuantisationPercent:F4} %");
        table.AddRow("encode (wall clock)", $"{r.EncodeMSymbolsPerSecond:F1} M symbols/s");
        table.AddRow("decode (wall clock)", $"{r.DecodeMSymbolsPerSecond:F1} M symbols/s");
        table.AddRow("encode (per processor second)", $"{r.EncodeMSymbolsPerCpuSecond:F1} M symbols/s");
        table.AddRow("decode (per processor second)", $"{r.DecodeMSymbolsPerCpuSecond:F1} M symbols/s");
        table.AddRow("round trip", r.RoundTripOk ? "ok" : "[red]FAILED[/]");
        console.Write(table);
    }
}
