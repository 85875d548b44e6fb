using System.CommandLine;
using System.Diagnostics;
using Microsoft.FSharp.Core;
using Spectre.Console;
using VqVae.Codec.Format;
using VqVae.Codec.Models.Data;
using VqVae.Codec.Models.Evaluation;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Pipeline;
using VqVae.Codec.Tool.Terminal;

namespace VqVae.Codec.Tool.Commands;

/// <summary>
/// `vqz roundtrip IMAGE`: compress an image, decompress the file in a separate decode, and print size,
/// bits per pixel, PSNR and both times; writes the .vqz and the decoded PNG (the README's first command).
/// </summary>
internal static class RoundtripCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("image") { Description = "A PNG, JPEG or BMP image." };
        var output = new Option<string?>("--output", "-o") { Description = "Folder for <name>.vqz and <name>.decoded.png (default: a new temporary folder)." };
        var quality = new Option<string>("--quality", "-q") { Description = "low | medium | high | max.", DefaultValueFactory = _ => CodecOptions.Default.Quality.ToString() };
        quality.AcceptOnlyFromAmong("low", "medium", "high", "max");
        var force = new Option<bool>("--force", "-f") { Description = "Overwrite existing outputs." };
        var codec = new CodecOptionSet();
        var command = new Command("roundtrip", "Compress and decompress one image; print size, bpp, PSNR and times.") { input };
        foreach (var o in new Option[] { output, quality, force }) command.Options.Add(o);
        codec.AddTo(command);
        command.SetAction((p, cancel) =>
        {
            var console = ToolConsole.For(p);
            var path = p.GetValue(input)!;
            var folder = p.GetValue(output) ?? Directory.CreateTempSubdirectory("vqz-roundtrip-").FullName;
            Directory.CreateDirectory(folder);
            var vqzPath = Path.Combine(folder, Path.GetFileNameWithoutExtension(path) + ".vqz");
            var pngPath = Path.Combine(folder, Path.GetFileNameWithoutExtension(path) + ".decoded.png");
            foreach (var target in new[] { vqzPath, pngPath })
                AtomicFile.Check(target, OutputRule.Of(p.GetValue(force)));

            var options = codec.Build(p, Quality.Parse(p.GetValue(quality)!), verify: false);
            ImageCodecs.CheckHeader(path, options.MaxPixels);
            var image = ImageCodecs.Decode(InputFiles.Read(path, ImageCodecs.MaxFileBytes), path, options.MaxPixels);
            using var catalog = codec.OpenCatalog(p);
            var encodeClock = Stopwatch.StartNew();
            var encoded = ImageCodec.encode(catalog, options, FSharpOption<CodecModels>.None, image, cancel);
            double encodeMs = encodeClock.Elapsed.TotalMilliseconds;
            AtomicFile.Write(vqzPath, encoded.Bytes, OutputRule.Of(p.GetValue(force)));

            var decodeClock = Stopwatch.StartNew();
            var decoded = ImageCodec.decode(catalog, options, VqzReaderOptions.Default, File.ReadAllBytes(vqzPath), cancel);
            double decodeMs = decodeClock.Elapsed.TotalMilliseconds;
            AtomicFile.Write(pngPath, ImageCodecs.EncodePng(decoded.Image, gray: decoded.Image.SourceIsGray), OutputRule.Of(p.GetValue(force)));
            // Every level's codes (a file with code levels has a grid per level, level 1 first).
            bool exact = decoded.Grids.Length == encoded.Grids.Length && decoded.Grids.Zip(encoded.Grids).All(g => g.First.AsSpan().SequenceEqual(g.Second));

            var table = new Table().AddColumns("", "");
            table.AddRow("image", $"{Markup.Escape(path)} ({image.Width}x{image.Height})");
            table.AddRow("models", Markup.Escape(encoded.Models.ToString()));
            table.AddRow("file", $"{Markup.Escape(vqzPath)}: {encoded.Bytes.Length} bytes");
            table.AddRow("rate", $"{encoded.Bytes.Length * 8.0 / ((long)image.Width * image.Height):F4} bpp");
            table.AddRow("PSNR", $"{PixelMetrics.Psnr(image, decoded.Image):F2} dB");
            table.AddRow("encode", $"{encodeMs:F0} ms");
            table.AddRow("decode", $"{decodeMs:F0} ms");
            table.AddRow("codes decoded exactly", exact ? "yes" : "[red]NO[/]");
            table.AddRow("decoded image", Markup.Escape(pngPath));
            console.Ansi.Write(table);
            return Task.FromResult(exact ? ExitCodes.Ok : ExitCodes.InternalError);
        });
        return command;
    }
}
