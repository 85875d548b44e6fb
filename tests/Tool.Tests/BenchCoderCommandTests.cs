namespace VqVae.Codec.Tool.Tests;

public sealed class BenchCoderCommandTests
{
    [Fact]
    public async Task Bench_coder_reports_overhead_speed_and_a_good_round_trip()
    {
        var output = new StringWriter();
        var code = await ToolHost.RunAsync(["bench", "coder", "--symbols", "50000", "--alphabet", "512", "--seed", "3"], output, new StringWriter());
        var text = output.ToString();
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("overhead over ideal", text);
        Assert.Contains("M symbols/s", text);
        Assert.Contains("round trip", text);
    }

    [Fact]
    public async Task Bench_coder_rejects_an_alphabet_of_one()
    {
        var error = new StringWriter();
        var code = await ToolHost.RunAsync(["bench", "coder", "--alphabet", "1"], new StringWriter(), error);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--alphabet", error.ToString());
    }
}
