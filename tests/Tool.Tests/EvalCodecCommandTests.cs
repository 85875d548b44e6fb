using System.Text.Json.Nodes;
using VqVae.Codec.Tool.Evaluation;
using Xunit.Abstractions;

namespace VqVae.Codec.Tool.Tests;

/// <summary>vqz eval codec on the tiny models and three small images; the standard codecs when installed.</summary>
[Collection("codec")]
public sealed class EvalCodecCommandTests(CodecFixture f, ITestOutputHelper log)
{
    private static bool JpegInstalled => new JpegCodec().Missing() is null;

    [Fact]
    public async Task Eval_codec_writes_per_image_and_mean_rows_and_explains_a_missing_bd_rate()
    {
        var started = DateTime.UtcNow.AddSeconds(-1);
        var dir = f.NewDir("eval-codec");
        var (csv, json) = (Path.Combine(dir, "e.csv"), Path.Combine(dir, "e.json"));
        // --quality high: the fixture's one preset, whatever presets the built-in models add.
        var (code, output, error) = await f.Run("eval", "codec", "--data", f.ImageDir, "--model-dir", f.ModelDir, "--threads", "1", "--quality", "high",
            "--jpeg-quality", "10,50,90", "--webp-quality", "20,80", "--avif-quantizer", "50,30", "--csv", csv, "--json", json);
        log.WriteLine(output + error);
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Contains("mean over 3 images", output);
        Assert.Contains("MS-SSIM: per R, G, B channel", output);

        var lines = File.ReadAllLines(csv);
        Assert.Equal(EvaluationFiles.CsvHeader, lines[0]);
        var vqz = lines.Where(l => l.StartsWith("image,vqz,high,", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, vqz.Count);
        Assert.Single(lines, l => l.StartsWith("mean,vqz,high,", StringComparison.Ordinal));

        var root = JsonNode.Parse(File.ReadAllText(json))!;
        Assert.Equal(EvaluationFiles.Kind, (string?)root["kind"]);
        Assert.Equal(3, (int)root["images"]!);
        var high = root["points"]!.AsArray().First(p => (string?)p!["codec"] == "vqz")!;
        var perImage = high["perImage"]!.AsArray();
        Assert.Equal(3, perImage.Count);
        // The true rate: bytes x 8 / pixels, per image; a (37x29) and b (32x32) have two MS-SSIM scales, c (64x20) one.
        foreach (var i in perImage)
            Assert.Equal((long)i!["bytes"]! * 8.0 / ((int)i["width"]! * (int)i["height"]!), (double)i["bpp"]!, 5);
        Assert.Equal([2, 2, 1], perImage.Select(i => (int)i!["msssimScales"]!));
        Assert.InRange((double)high["msssim"]!, 0.0, 1.0);

        if (JpegInstalled)
        {
            Assert.Equal(9, lines.Count(l => l.StartsWith("image,jpeg,", StringComparison.Ordinal)));
            Assert.Contains("jpeg", output);
            // One vqz preset is one point: no BD-rate, and the report says why instead of giving a number.
            var bd = root["bdRate"]!.AsArray().First(b => (string?)b!["anchor"] == "jpeg" && (string?)b["metric"] == "psnr")!;
            Assert.Null(bd["percent"]);
            Assert.Equal("vqz has 1 point; the piecewise cubic fit needs at least 2", (string?)bd["reason"]);
            Assert.Contains("needs at least 2", output);
        }
        else
        {
            log.WriteLine("cjpeg/djpeg are not installed: the JPEG rows are not checked (apt-get install libjpeg-turbo-progs).");
            Assert.Contains("jpeg skipped: cjpeg and djpeg are not on PATH", error);
        }
        // The temporary folder of the standard codecs' files is gone.
        Assert.DoesNotContain(Directory.GetDirectories(Path.GetTempPath(), "vqz-eval-*"), d => Directory.GetCreationTimeUtc(d) >= started);
    }

    [Fact]
    public async Task Eval_codec_usage_errors_missing_presets_and_existing_outputs_have_their_exit_codes()
    {
        var dir = f.NewDir("eval-codec-errors");
        var json = Path.Combine(dir, "e.json");
        File.WriteAllText(json, "precious");
        Assert.Equal(ExitCodes.Usage, (await f.Run("eval", "codec", "--data", f.ImageDir, "--model-dir", f.ModelDir, "--standard", "gif")).Code);
        Assert.Equal(ExitCodes.Usage, (await f.Run("eval", "codec", "--data", f.ImageDir, "--model-dir", f.ModelDir, "--jpeg-quality", "0,101")).Code);
        Assert.Equal(ExitCodes.Usage, (await f.Run("eval", "codec", "--data", f.ImageDir, "--quality", "none", "--standard", "none")).Code);
        var (code, _, error) = await f.Run("eval", "codec", "--data", f.ImageDir, "--model-dir", f.ModelDir, "--quality", "medium", "--standard", "none");
        Assert.Equal(ExitCodes.MissingModel, code);
        Assert.Contains("no preset for quality 'medium'", error);
        (code, _, error) = await f.Run("eval", "codec", "--data", f.ImageDir, "--model-dir", f.ModelDir, "--standard", "none", "--json", json);
        Assert.Equal(ExitCodes.OutputError, code);
        Assert.Equal("precious", File.ReadAllText(json));
    }

    [Fact]
    public void A_codec_whose_programs_are_missing_names_them_and_the_package()
    {
        Assert.Equal("vqz-no-such-encoder and vqz-no-such-decoder are not on PATH (Debian: apt-get install some-package)", new AbsentCodec().Missing());
    }

    private sealed class AbsentCodec : StandardCodec
    {
        public override string Name => "absent";
        public override (string Encoder, string Decoder) Programs => ("vqz-no-such-encoder", "vqz-no-such-decoder");
        public override string Package => "some-package";
        public override string Parameter => "-q";
        public override IReadOnlyList<int> DefaultSweep => [1];
        public override (int Min, int Max) Range => (1, 1);
        public override string Label(int setting) => $"q{setting}";
        protected override string InputExtension => ".png";
        protected override string CodedExtension => ".x";
        protected override string DecodedExtension => ".png";
        protected override IEnumerable<string> EncodeArguments(int setting, string input, string output) => [];
        protected override IEnumerable<string> DecodeArguments(string input, string output) => [];
    }
}
