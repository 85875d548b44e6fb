using System.CommandLine;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using VqVae.Codec.Pipeline;

namespace VqVae.Codec.Tool.Commands;

/// <summary>Options shared by the codec commands (compress, decompress, roundtrip, eval codec, bench codec).</summary>
internal sealed class CodecOptionSet
{
    public Option<string[]> ModelDirs { get; } = new("--model-dir")
    {
        Description = "Extra directories of model files (*.vqm, *.vqp, presets.json); also $VQZ_MODEL_PATH.",
        AllowMultipleArgumentsPerToken = true,
    };
    public Option<string> Device { get; } = new("--device") { Description = "cpu | cuda: where the VQ-VAE runs (the prior always runs on the CPU).", DefaultValueFactory = _ => "cpu" };
    public Option<int> Threads { get; } = new Option<int>("--threads") { Description = "Threads of the prior evaluator (0 = all cores); on the CPU the VQ-VAE always runs on two threads, so outputs never depend on this.", DefaultValueFactory = _ => 0 }.InRange(0, OptionLimits.MaxThreads);

    public Option<long> MaxPixels { get; } = new("--max-pixels")
    {
        Description = "Most pixels of an image to encode or of a file to decode, checked before any work (default 16,000,000 = 4000 x 4000: " +
                      "a 4000 x 3000 photo needs about 1.3 GB; README, Big photos).",
        DefaultValueFactory = _ => CodecOptions.Default.MaxPixels,
    };

    public Option<string> ModelNames { get; } = new("--model-names")
    {
        Description = "auto | always | never: write the MODEL-NAMES chunk (names and full digests of the models, about 80 bytes) " +
                      "for models that are not built in (auto), always, or never (the 4-byte models tag alone identifies them).",
        DefaultValueFactory = _ => "auto",
    };

    public Option<string> GridChecksum { get; } = new("--grid-checksum")
    {
        Description = "auto | always | never: write the CRC-32C of the code grid (7 bytes; a decoder that does not decode the codes the encoder wrote " +
                      "stops instead of writing wrong pixels) for images of more than 64 x 64 pixels (auto), always, or never.",
        DefaultValueFactory = _ => "auto",
    };

    public Option<int?> Levels { get; } = new("--levels")
    {
        Description = "Code levels to send (1 = the first grid only): the rate knob of models with levels (docs/levels.md); default: the preset's.",
    };

    public Option<double> RateLambda { get; } = new("--rate-lambda")
    {
        Description = "Entropy-constrained code choice: what a bit is worth in units of a level's mean distance to its nearest prototype " +
                      "(0 = the nearest prototype; docs/levels.md §4.5). Fewer bits for a little more distortion; files decode as any other.",
        DefaultValueFactory = _ => CodecOptions.Default.RateLambda,
    };

    public CodecOptionSet()
    {
        RateLambda.Validators.Add(r =>
        {
            if (!Models.Quantizers.CodeChoice.IsValidRateLambda(r.GetValueOrDefault<double>()))
                r.AddError($"--rate-lambda: {Models.Quantizers.CodeChoice.RateLambdaRange}");
        });
        Levels.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is int n && n is < 1 or > 16) r.AddError("--levels must be from 1 to 16");
        });
        GridChecksum.AcceptOnlyFromAmong("auto", "always", "never");
        Device.AcceptOnlyFromAmong("cpu", "cuda");
        ModelNames.AcceptOnlyFromAmong("auto", "always", "never");
        MaxPixels.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long>() is < 1 or > 65535L * 65535) r.AddError("--max-pixels must be from 1 to 65535 x 65535");
        });
    }

    /// <summary>Adds the options; <paramref name="encodes"/>: also those that shape the files written.</summary>
    public void AddTo(Command command, bool encodes = true)
    {
        command.Options.Add(ModelDirs);
        command.Options.Add(Device);
        command.Options.Add(Threads);
        command.Options.Add(MaxPixels);
        if (encodes)
        {
            command.Options.Add(ModelNames);
            command.Options.Add(GridChecksum);
            command.Options.Add(Levels);
            command.Options.Add(RateLambda);
        }
    }

    public ModelCatalog OpenCatalog(ParseResult p) => ModelStore.Open(p.GetValue(ModelDirs), Terminal.ToolConsole.For(p).Warn);

    private bool command(ParseResult p) => p.CommandResult.Command.Options.Contains(Levels);

    public CodecOptions Build(ParseResult p, Quality? quality = null, bool verify = true, int? tileSide = null, bool embed = false)
    {
        int threads = p.GetValue(Threads);
        if (threads > 0) TorchSharp.torch.set_num_threads(threads);
        var d = CodecOptions.Default;
        return new CodecOptions(
            quality ?? d.Quality,
            p.GetValue(Device) == "cuda" ? ComputeDevice.Cuda : ComputeDevice.Cpu,
            verify,
            threads,
            tileSide is int t ? FSharpOption<int>.Some(t) : FSharpOption<int>.None,
            command(p) && p.GetValue(Levels) is int levels ? FSharpOption<int>.Some(levels) : FSharpOption<int>.None,
            embed,
            (p.GetResult(ModelNames) is null ? "auto" : p.GetValue(ModelNames)) switch
            {
                "always" => ModelNamesPolicy.Always,
                "never" => ModelNamesPolicy.Never,
                _ => d.ModelNames,
            },
            FSharpList<Tuple<string, string>>.Empty,
            (p.GetResult(GridChecksum) is null ? "auto" : p.GetValue(GridChecksum)) switch
            {
                "always" => GridChecksumPolicy.Always,
                "never" => GridChecksumPolicy.Never,
                _ => d.GridChecksum,
            },
            p.GetValue(MaxPixels),
            d.NetworkTilePixels,
            command(p) ? p.GetValue(RateLambda) : d.RateLambda);
    }
}
