using System.Runtime.CompilerServices;
using System.Text.Json;

namespace VqVae.Codec.Tool.Tests;

public sealed class InfoCommandTests
{
    private static string Golden(string name, [CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "data", "golden", name));

    private static Task<(int Code, string Output, string Error)> Run(params string[] args) => ToolRun.Run(args);

    [Fact]
    public async Task Json_output_is_the_golden_header_snapshot()
    {
        var (code, output, _) = await Run("info", "--json", Golden("unigram-rgb-293x181-tiles8.vqz"));
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(File.ReadAllText(Golden("unigram-rgb-293x181-tiles8.json")), output);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(37, json.RootElement.GetProperty("latentWidth").GetInt32());
    }

    [Fact]
    public async Task Table_output_names_the_fields_chunks_and_models_tag()
    {
        var (code, output, _) = await Run("info", Golden("uniform-gray-37x23-embedded.vqz"));
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("modelsTag", output);
        Assert.Contains("521dd02e", output);
        Assert.Contains("embedded-models", output);
        Assert.Contains("role=prior", output);
    }

    [Fact]
    public async Task Table_and_json_show_the_code_levels_and_their_stream_lengths()
    {
        // The worked example of spec/vqz.md §4.6: three levels of 3, 0 and 2 stream bytes.
        var path = Path.Combine(Path.GetTempPath(), $"vqz-info-levels-{Guid.NewGuid():N}.vqz");
        File.WriteAllBytes(path, Convert.FromHexString("56515a11800108083a7f34b6018403030300a1a2a3c1c28d36a5a8"));
        try
        {
            var (code, output, _) = await Run("info", path);
            Assert.Equal(ExitCodes.Ok, code);
            Assert.Contains("levels=3 streamLengths=[3,0,2]", output);
            (code, output, _) = await Run("info", "--json", path);
            Assert.Equal(ExitCodes.Ok, code);
            using var json = JsonDocument.Parse(output);
            var chunk = json.RootElement.GetProperty("chunks")[0];
            Assert.Equal("levels", chunk.GetProperty("type").GetString());
            Assert.Equal([3, 0, 2], chunk.GetProperty("streamLengths").EnumerateArray().Select(e => e.GetInt32()));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_truncated_file_exits_with_bad_input_and_names_the_offset()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vqz-info-{Guid.NewGuid():N}.vqz");
        File.WriteAllBytes(path, File.ReadAllBytes(Golden("uniform-gray-32x32.vqz"))[..40]);
        try
        {
            var (code, _, error) = await Run("info", path);
            Assert.Equal(ExitCodes.BadInput, code);
            Assert.Contains("checksum at byte 36", error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_model_file_shows_its_name_kind_digest_and_architecture_and_a_corrupt_one_is_refused()
    {
        var dir = Directory.CreateTempSubdirectory("vqz-info-model-").FullName;
        try
        {
            var path = Path.Combine(dir, "tiny.vqm");
            var architecture = new Models.Networks.VqVaeArchitecture { HiddenChannels = 8, ResidualChannels = 4, ResidualBlocks = 1, LatentDim = 4, CodebookSize = 16 };
            using (var network = new Models.Networks.VqVaeNetwork(architecture, new Models.Quantizers.QuantizerOptions()))
            {
                var digest = Models.Files.VqVaeModel.Save(network, "tiny", new System.Text.Json.Nodes.JsonObject(), path);
                var (code, output, error) = await Run("info", "--json", path);
                Assert.True(code == ExitCodes.Ok, error);
                using var json = JsonDocument.Parse(output);
                Assert.Equal("vqvae", json.RootElement.GetProperty("kind").GetString());
                Assert.Equal("tiny", json.RootElement.GetProperty("name").GetString());
                Assert.Equal(Convert.ToHexStringLower(digest), json.RootElement.GetProperty("digest").GetString());
                Assert.Equal(16, json.RootElement.GetProperty("header").GetProperty("architecture").GetProperty("codebookSize").GetInt32());
                Assert.Equal(network.state_dict().Values.Sum(t => t.numel()), json.RootElement.GetProperty("storedValues").GetInt64());   // parameters and buffers
            }

            var bytes = File.ReadAllBytes(path);
            bytes[bytes.Length / 2] ^= 0x01;
            File.WriteAllBytes(path, bytes);
            var (badCode, _, badError) = await Run("info", path);
            Assert.Equal(ExitCodes.MissingModel, badCode);
            Assert.Contains("tiny.vqm", badError);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
