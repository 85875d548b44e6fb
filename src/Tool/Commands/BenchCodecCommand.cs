using System.CommandLine;
using System.Diagnostics;
using Microsoft.FSharp.Core;
using Spectre.Console;
using VqVae.Codec.Format;
using VqVae.Codec.Models.Data;
using VqVae.Codec.Models.Evaluation;
using VqVae.Codec.Pipeline;
using VqVae.Codec.Tool.Terminal;

namespace VqVae.Codec.Tool.Commands;

/// <summary>
/// `vqz bench codec`: encode and decode times of a photo (default: the 768x512 sample) and the throughput
/// of thumbnails (default: the 100 committed CIFAR-10 test images), with the default models.
/// </summary>
internal static class BenchCodecCommand
{
    public static Command Create()
    {
        var image = new Option<string>("--image") { Description = "The photo to time.", DefaultValueFactory = _ => "samples/bsds-101027-768x512.jpg" };
        var thumbnails = new Option<string>("--thumbnails") { Description = "Thumbnails to time (image, folder or tar).", DefaultValueFactory = _ => "tests/data/cifar10/test-100.tar" };
        var quality = new Option<string>("--quality", "-q") { Description = "low | medium | high | max.", DefaultValueFactory = _ => "high" };
        quality.AcceptOnlyFromAmong("low", "medium", "high", "max");
        var runs = new Option<int>("--runs") { Description = "Timed runs of the photo and of the thumbnails (the median is reported).", DefaultValueFactory = _ => 3 };
        var codec = new CodecOptionSet();
        var command = new Command("codec", "Time compress and decompress: one photo, and a set of thumbnails (images/s).");
        foreach (var o in new Option[] { image, thumbnails, quality, runs }) command.Options.Add(o);
        codec.AddTo(command);
        command.SetAction((p, cancel) =>
        {
            var console = ToolConsole.For(p);
            var options = codec.Build(p, Quality.Parse(p.GetValue(quality)!), verify: false);
            using var catalog = codec.OpenCatalog(p);
            var table = new Table().AddColumns("case", "images", "bytes/image", "bpp", "PSNR (dB)", "encode", "decode", "encode: network / prior+coder", "decode: prior+coder / network");

            var photo = ImageCodecs.Decode(InputFiles.Read(p.GetValue(image)!, ImageCodecs.MaxFileBytes), p.GetValue(image)!);
            var none = FSharpOption<CodecModels>.None;
            ImageCodec.encode(catalog, options, none, photo, cancel);                       // load models, JIT
            var encodes = new List<(double Ms, EncodedImage E)>();
            var decodes = new List<(double Ms, DecodedImage D)>();
            for (int r = 0; r < Math.Max(1, p.GetValue(runs)); r++)
            {
                var clock = Stopwatch.StartNew();
                var e = ImageCodec.encode(catalog, options, none, photo, cancel);
                encodes.Add((clock.Elapsed.TotalMilliseconds, e));
                clock.Restart();
                var d = ImageCodec.decode(catalog, options, VqzReaderOptions.Default, e.Bytes, cancel);
                decodes.Add((clock.Elapsed.TotalMilliseconds, d));
            }
            var me = Median(encodes, x => x.Ms);
            var md = Median(decodes, x => x.Ms);
            table.AddRow($"photo {photo.Width}x{photo.Height}", "1", me.E.Bytes.Length.ToString(),
                (me.E.Bytes.Length * 8.0 / (photo.Width * photo.Height)).ToString("F4"), PixelMetrics.Psnr(photo, md.D.Image).ToString("F2"),
                $"{me.Ms:F0} ms", $"{md.Ms:F0} ms", $"{me.E.Timings.NetworkMs:F0} / {me.E.Timings.EntropyMs:F0} ms",
                $"{md.D.Timings.EntropyMs:F0} / {md.D.Timings.NetworkMs:F0} ms");

            var set = ImageDataset.Load(p.GetValue(thumbnails)!, new ImageSelection());
            // Thumbnails go through the batched path (encodeMany / decodeMany): one network batch and one
            // prior evaluation per group of same-sized images, files identical to one-by-one coding. One
            // untimed pass, then the median of --runs timed passes (like the photo); the split into network
            // and prior+coder is that of the last pass, summed over the set.
            var images = set.Images.ToArray();
            EncodedImage[] encoded = [];
            DecodedImage[] decoded = [];
            var encodeSeconds = new List<double>();
            var decodeSeconds = new List<double>();
            for (int r = 0; r <= Math.Max(1, p.GetValue(runs)); r++)
            {
                var clock = Stopwatch.StartNew();
                encoded = ImageCodec.encodeMany(catalog, options, none, images, cancel);
                if (r > 0) encodeSeconds.Add(clock.Elapsed.TotalSeconds);
                clock.Restart();
                decoded = ImageCodec.decodeMany(catalog, options, VqzReaderOptions.Default, encoded.Select(e => new ReadOnlyMemory<byte>(e.Bytes)).ToArray(), cancel);
                if (r > 0) decodeSeconds.Add(clock.Elapsed.TotalSeconds);
            }
            double bytes = encoded.Average(e => e.Bytes.Length);
            double psnr = Enumerable.Range(0, set.Count).Average(i => PixelMetrics.Psnr(set.Images[i], decoded[i].Image));
            table.AddRow($"thumbnails {set.Images[0].Width}x{set.Images[0].Height}", set.Count.ToString(), bytes.ToString("F1"),
                (bytes * 8 / (set.Images[0].Width * set.Images[0].Height)).ToString("F4"), psnr.ToString("F2"),
                $"{set.Count / Median(encodeSeconds, s => s):F0} images/s", $"{set.Count / Median(decodeSeconds, s => s):F0} images/s",
                $"{encoded.Sum(e => e.Timings.NetworkMs):F0} / {encoded.Sum(e => e.Timings.EntropyMs):F0} ms",
                $"{decoded.Sum(d => d.Timings.EntropyMs):F0} / {decoded.Sum(d => d.Timings.NetworkMs):F0} ms");
            console.Out.WriteLine($"models: {encoded[0].Models}; prior threads {options.EffectiveThreads}, TorchSharp threads {TorchSharp.torch.get_num_threads()}, {Environment.ProcessorCount} cores");
            console.Ansi.Write(table);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    /// <summary>The middle run by <paramref name="key"/> (the upper middle for an even count).</summary>
    private static T Median<T>(List<T> runs, Func<T, double> key) => runs.OrderBy(key).ElementAt(runs.Count / 2);
}
