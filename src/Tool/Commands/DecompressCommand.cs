using System.CommandLine;
using Spectre.Console;
using VqVae.Codec.Format;
using VqVae.Codec.Models.Data;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Pipeline;
using VqVae.Codec.Tool.Terminal;

namespace VqVae.Codec.Tool.Commands;

/// <summary>`vqz decompress`: .vqz files to PNG or BMP.</summary>
internal static class DecompressCommand
{
    private sealed record Row(string Input, string Output, int Width, int Height, double DecodeMs, string? Error, int ExitCode, Exception? Failure = null);

    /// <summary>A code grid as text (spec/vqz.md §12): "height width", then one line per row of codes separated by spaces.</summary>
    private static string CodeText(int[] codes, int height, int width) =>
        $"{height} {width}\n" + string.Join('\n', codes.Chunk(width).Select(row => string.Join(' ', row))) + "\n";

    public static Command Create()
    {
        var inputs = new Argument<string[]>("inputs") { Description = ".vqz files or folders of them.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--output", "-o") { Description = "Output file (one input) or folder; default: beside each input." };
        var format = new Option<string>("--format") { Description = "png | bmp.", DefaultValueFactory = _ => "png" };
        format.AcceptOnlyFromAmong("png", "bmp");
        var jobs = new Option<int>("--jobs", "-j") { Description = "Files decoded at once.", DefaultValueFactory = _ => 1 }.InRange(1, OptionLimits.MaxThreads);
        var force = new Option<bool>("--force", "-f") { Description = "Overwrite existing outputs." };
        var codes = new Option<bool>("--codes")
        {
            Description = "Also write each decoded code grid as text (<output>.codes.txt: \"height width\", then one line per row). " +
                          "Files of a static model set (spec §8.2: no autoencoder) need it and give the grid alone.",
        };
        var codec = new CodecOptionSet();
        var command = new Command("decompress", "Decompress .vqz files to PNG or BMP images.") { inputs };
        foreach (var o in new Option[] { output, format, jobs, force, codes }) command.Options.Add(o);
        codec.AddTo(command, encodes: false);
        command.SetAction(async (p, cancel) =>
        {
            var console = ToolConsole.For(p);
            var files = InputFiles.Expand(p.GetValue(inputs)!, f => f.EndsWith(".vqz", StringComparison.OrdinalIgnoreCase));
            if (files.Count == 0) throw new UsageException("no .vqz files among the inputs");
            var options = codec.Build(p);
            using var catalog = codec.OpenCatalog(p);
            bool single = p.GetValue(inputs)!.Length == 1 && files.Count == 1;
            bool bmp = p.GetValue(format) == "bmp";
            var targets = InputFiles.OutputsFor(files, p.GetValue(output), single, bmp ? ".bmp" : ".png");
            var existing = OutputRule.Of(p.GetValue(force));
            var rows = new Row[files.Count];
            await FileRun.ForEach(console, files.Count, p.GetValue(jobs), "decompressing", cancel, i =>
            {
                var input = files[i];
                var target = targets[i];
                try
                {
                    var bytes = InputFiles.Read(input, VqzLimits.Default.MaxFileBytes);
                    var staticGrid = ImageCodec.tryDecodeStaticGrid(catalog, VqzReaderOptions.Default, bytes, cancel);
                    if (staticGrid is not null)
                    {
                        // A static model set has no autoencoder: the grid is all there is to decode.
                        var (header, grid) = staticGrid.Value;
                        if (!p.GetValue(codes))
                            throw new UsageException($"{Path.GetFileName(input)} is coded with a static model set (no autoencoder, no image); decode its code grid with --codes");
                        AtomicFile.Check(target + ".codes.txt", existing);
                        AtomicFile.Write(target + ".codes.txt", System.Text.Encoding.ASCII.GetBytes(CodeText(grid, header.LatentHeight, header.LatentWidth)), existing);
                        rows[i] = new Row(input, target + ".codes.txt", header.LatentWidth, header.LatentHeight, 0, null, ExitCodes.Ok);
                        return;
                    }
                    AtomicFile.Check(target, existing);
                    var decoded = ImageCodec.decode(catalog, options, VqzReaderOptions.Default, bytes, cancel);
                    var image = decoded.Image;
                    AtomicFile.Write(target, bmp ? ImageCodecs.EncodeBmp(image) : ImageCodecs.EncodePng(image, gray: image.SourceIsGray), existing);
                    if (p.GetValue(codes))
                        AtomicFile.Write(target + ".codes.txt", System.Text.Encoding.ASCII.GetBytes(CodeText(decoded.Codes, decoded.Header.LatentHeight, decoded.Header.LatentWidth)), existing);
                    rows[i] = new Row(input, target, image.Width, image.Height, decoded.Timings.NetworkMs + decoded.Timings.EntropyMs, null, ExitCodes.Ok);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    var (code, message) = ErrorReport.Classify(e);
                    rows[i] = new Row(input, target, 0, 0, 0, message, code, e);
                }
            });
            var table = new Table().AddColumns("input", "output", "size", "decode (ms)");
            foreach (var r in rows)
                table.AddRow(Markup.Escape(Path.GetFileName(r.Input)), r.Error is null ? Markup.Escape(r.Output) : "[red]failed[/]",
                    r.Error is null ? $"{r.Width}x{r.Height}" : "", r.Error is null ? r.DecodeMs.ToString("F0") : "");
            console.Ansi.Write(table);
            foreach (var r in rows.Where(r => r.Error is not null)) console.FileError(r.Input, r.Error!, r.Failure, p);
            return rows.Select(r => r.ExitCode).FirstOrDefault(c => c != ExitCodes.Ok, ExitCodes.Ok);
        });
        return command;
    }
}
