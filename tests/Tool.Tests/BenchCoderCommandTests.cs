using System.CommandLine;
using VqVae.Codec.Tool.Commands;

namespace VqVae.Codec.Tool.Tests;

public sealed class BenchCoderCommandTests
{
    [Fact]
    public void Bench_coder_reports_overhead_speed_and_a_good_round_trip()
    {
        var output = new StringWriter();
        var root = new RootCommand { BenchCommand.Create() };
        var code = root.Parse(["bench", "coder", "--symbols", "50000", "--alphabet", "512", "--seed", "3"])
            .Invoke(new InvocationConfiguration { Output = output, Error = output });
        var text = output.ToString();
        Assert.Equal(0, code);
        Assert.Contains("overhead over ideal", text);
        Assert.Contains("M symbols/s", text);
        Assert.Contains("ok", text);
    }

    [Fact]
    public void Bench_has_coder_as_a_subcommand()
    {
        Assert.Contains(BenchCommand.Create().Subcommands, c => c.Name == "coder");
    }
}
