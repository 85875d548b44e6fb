using System.CommandLine;
using System.Diagnostics;
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
        var jobs = new Option<int>("--jobs", "-j") { Description = "Files decoded at once when decoded one at a time (a batch that failed).", DefaultValueFactory = _ => 1 }.InRange(1, OptionLimits.MaxThreads);
        var force = new Option<bool>("--force", "-f") { Description = "Overwrite existing outputs." };
        var codes = new Option<bool>("--codes")
        {
            Description = "Also write each decoded code grid as text (<output>.codes.txt: \"height width\", then one line per row); " +
                          "a file with code levels gives one per level, <output>.codes.level<l>.txt for l = 1 .. n. " +
                          "Files of a static model set (spec §8.2: no autoencoder) need it and give the grid alone.",
        };
        var table = new Option<bool>("--table") { Description = "With several files, a row per file as well as the summary line." };
        var codec = new CodecOptionSet();
        var command = new Command("decompress", "Decompress .vqz files to PNG or BMP images.") { inputs };
        foreach (var o in new Option[] { output, format, jobs, force, codes, table }) command.Options.Add(o);
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
            bool writeCodes = p.GetValue(codes);
            var clock = Stopwatch.StartNew();
            if (files.Count == 1)
                rows[0] = DecompressOne(catalog, options, files[0], targets[0], bmp, writeCodes, existing, cancel);
            else
                await FileRun.WithProgress(console, files.Count, "decompressing", done =>
                    DecompressBatched(catalog, options, files, targets, bmp, writeCodes, existing, p.GetValue(jobs), rows, done, cancel));
            double seconds = clock.Elapsed.TotalSeconds;
            if (files.Count == 1 || p.GetValue(table))
            {
                var rowTable = new Table().AddColumns("input", "output", "size", "decode (ms)");
                foreach (var r in rows)
                    rowTable.AddRow(Markup.Escape(Path.GetFileName(r.Input)), r.Error is null ? Markup.Escape(r.Output) : "[red]failed[/]",
                        r.Error is null ? $"{r.Width}x{r.Height}" : "", r.Error is null ? r.DecodeMs.ToString("F0") : "");
                console.Ansi.Write(rowTable);
            }
            foreach (var r in rows.Where(r => r.Error is not null)) console.FileError(r.Input, r.Error!, r.Failure, p);
            if (files.Count > 1)
            {
                int ok = rows.Count(r => r.Error is null);
                console.Out.WriteLine($"{ok} files decoded" + (rows.Length > ok ? $"; {rows.Length - ok} failed" : "") +
                                      $"; {seconds:F1} s, {files.Count / Math.Max(seconds, 1e-9):F0} images/s");
            }
            return rows.Select(r => r.ExitCode).FirstOrDefault(c => c != ExitCodes.Ok, ExitCodes.Ok);
        });
        return command;
    }

    private static Row Failed(string input, string target, Exception e)
    {
        var (code, message) = ErrorReport.Classify(e);
        return new Row(input, target, 0, 0, 0, message, code, e);
    }

    private static void Write(string target, DecodedImage decoded, bool bmp, bool writeCodes, ExistingOutput existing,
        StaleTemporaries stale = StaleTemporaries.Remove)
    {
        var image = decoded.Image;
        AtomicFile.Write(target, bmp ? ImageCodecs.EncodeBmp(image) : ImageCodecs.EncodePng(image, gray: image.SourceIsGray), existing, stale);
        if (!writeCodes) return;
        var grids = decoded.Grids;
        for (int l = 0; l < grids.Length; l++)
            AtomicFile.Write(CodesPath(target, l + 1, grids.Length),
                System.Text.Encoding.ASCII.GetBytes(CodeText(grids[l], decoded.Header.LatentHeight, decoded.Header.LatentWidth)), existing);
    }

    /// <summary>Where --codes writes the grid of level <paramref name="level"/> of <paramref name="levels"/>:
    /// &lt;output&gt;.codes.txt for a file of one level (a file without LEVELS, spec §4.6), else &lt;output&gt;.codes.level&lt;l&gt;.txt.</summary>
    private static string CodesPath(string target, int level, int levels) => levels == 1 ? target + ".codes.txt" : target + $".codes.level{level}.txt";

    /// <summary>A file of a static model set (spec §8.2: no autoencoder): its code grid, or null for any other file.</summary>
    private static Row? TryStatic(ModelCatalog catalog, string input, string target, byte[] bytes, bool writeCodes, ExistingOutput existing, CancellationToken cancel)
    {
        // Only a file whose tag names a static set goes this way: tryDecodeStaticGrid refuses every file with
        // LEVELS (levels have no meaning without an autoencoder), and a file with levels and its models is an image.
        if (catalog.TryFindStatic(Vqz.read(VqzReaderOptions.Default, bytes).Header.ModelsTag) is null) return null;
        var staticGrid = ImageCodec.tryDecodeStaticGrid(catalog, VqzReaderOptions.Default, bytes, cancel);
        if (staticGrid is null) return null;
        // A static model set has no autoencoder: the grid is all there is to decode.
        var (header, grid) = staticGrid.Value;
        if (!writeCodes)
            throw new UsageException($"{Path.GetFileName(input)} is coded with a static model set (no autoencoder, no image); decode its code grid with --codes");
        AtomicFile.Check(target + ".codes.txt", existing);
        AtomicFile.Write(target + ".codes.txt", System.Text.Encoding.ASCII.GetBytes(CodeText(grid, header.LatentHeight, header.LatentWidth)), existing);
        return new Row(input, target + ".codes.txt", header.LatentWidth, header.LatentHeight, 0, null, ExitCodes.Ok);
    }

    private static Row DecompressOne(ModelCatalog catalog, CodecOptions options, string input, string target, bool bmp, bool writeCodes,
        ExistingOutput existing, CancellationToken cancel)
    {
        try
        {
            var bytes = InputFiles.Read(input, VqzLimits.Default.MaxFileBytes);
            if (TryStatic(catalog, input, target, bytes, writeCodes, existing, cancel) is { } row) return row;
            AtomicFile.Check(target, existing);
            var decoded = ImageCodec.decode(catalog, options, VqzReaderOptions.Default, bytes, cancel);
            Write(target, decoded, bmp, writeCodes, existing);
            return new Row(input, target, decoded.Image.Width, decoded.Image.Height, decoded.Timings.NetworkMs + decoded.Timings.EntropyMs, null, ExitCodes.Ok);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Failed(input, target, e);
        }
    }

    /// <summary>
    /// Several files through the library's batched path (ImageCodec.decodeMany: files of one models tag,
    /// size and tiling decoded together), read in order into batches of at most CompressCommand.BatchFiles
    /// files and CompressCommand.BatchPixels declared pixels. A file that cannot be read or parsed fails
    /// alone; when a batch fails, its files are decoded one at a time, so each gets its own outcome.
    /// </summary>
    private static void DecompressBatched(ModelCatalog catalog, CodecOptions options, IReadOnlyList<string> files, IReadOnlyList<string> targets,
        bool bmp, bool writeCodes, ExistingOutput existing, int jobs, Row[] rows, Action<int> done, CancellationToken cancel)
    {
        var batch = new List<(int Index, byte[] Bytes)>();
        long pixels = 0;
        for (int i = 0; i < files.Count; i++)
        {
            cancel.ThrowIfCancellationRequested();
            try
            {
                var bytes = InputFiles.Read(files[i], VqzLimits.Default.MaxFileBytes);
                if (TryStatic(catalog, files[i], targets[i], bytes, writeCodes, existing, cancel) is { } row)
                {
                    rows[i] = row;
                    done(1);
                }
                else
                {
                    AtomicFile.Check(targets[i], existing);
                    long declared;
                    try
                    {
                        var header = Vqz.read(VqzReaderOptions.Default, bytes).Header;
                        declared = (long)header.Width * header.Height;
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        declared = -1;   // decoded alone below, which reports it as one file would
                    }
                    if (declared < 0)
                    {
                        rows[i] = DecompressOne(catalog, options, files[i], targets[i], bmp, writeCodes, existing, cancel);
                        done(1);
                    }
                    else
                    {
                        batch.Add((i, bytes));
                        pixels += declared;
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                rows[i] = Failed(files[i], targets[i], e);
                done(1);
            }
            if (batch.Count > 0 && (batch.Count == CompressCommand.BatchFiles || pixels >= CompressCommand.BatchPixels || i == files.Count - 1))
            {
                DecompressBatch(catalog, options, files, targets, bmp, writeCodes, existing, jobs, rows, batch, cancel);
                done(batch.Count);
                batch.Clear();
                pixels = 0;
            }
        }
    }

    private static void DecompressBatch(ModelCatalog catalog, CodecOptions options, IReadOnlyList<string> files, IReadOnlyList<string> targets,
        bool bmp, bool writeCodes, ExistingOutput existing, int jobs, Row[] rows, List<(int Index, byte[] Bytes)> batch, CancellationToken cancel)
    {
        DecodedImage[] decoded;
        try
        {
            decoded = ImageCodec.decodeMany(catalog, options, VqzReaderOptions.Default, batch.Select(b => new ReadOnlyMemory<byte>(b.Bytes)).ToArray(), cancel);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Parallel.For(0, batch.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, jobs), CancellationToken = cancel }, j =>
            {
                int i = batch[j].Index;
                rows[i] = DecompressOne(catalog, options, files[i], targets[i], bmp, writeCodes, existing, cancel);
            });
            return;
        }
        // Each image is encoded as PNG or BMP and written on its own: the targets are distinct, so in parallel
        // (the temporaries that killed runs left for them removed first, in one pass over each folder).
        AtomicFile.RemoveStaleTemporaries(batch.Select(b => Path.GetFullPath(targets[b.Index])));
        Parallel.For(0, batch.Count, new ParallelOptions { CancellationToken = cancel }, j =>
        {
            int i = batch[j].Index;
            var d = decoded[j];
            try
            {
                Write(targets[i], d, bmp, writeCodes, existing, StaleTemporaries.AlreadyRemoved);
                rows[i] = new Row(files[i], targets[i], d.Image.Width, d.Image.Height, d.Timings.NetworkMs + d.Timings.EntropyMs, null, ExitCodes.Ok);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                rows[i] = Failed(files[i], targets[i], e);
            }
        });
    }
}
