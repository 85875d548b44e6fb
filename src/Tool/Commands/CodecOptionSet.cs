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
    public Option<int> Threads { get; } = new("--threads") { Description = "Threads of the prior evaluator (0 = all cores); on the CPU the VQ-VAE always runs on two threads, so outputs never depend on this.", DefaultValueFactory = _ => 0 };

    public CodecOptionSet() => Device.AcceptOnlyFromAmong("cpu", "cuda");

    public void AddTo(Command command)
    {
        command.Options.Add(ModelDirs);
        command.Options.Add(Device);
        command.Options.Add(Threads);
    }

    public ModelCatalog OpenCatalog(ParseResult p) => ModelStore.Open(p.GetValue(ModelDirs));

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
            embed,
            d.ModelNames,
            FSharpList<Tuple<string, string>>.Empty);
    }
}
