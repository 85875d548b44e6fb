using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using Microsoft.FSharp.Core;
using Spectre.Console;
using VqVae.Codec.Models.Data;
using VqVae.Codec.Models.Evaluation;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Pipeline;
using VqVae.Codec.Tool.Terminal;

namespace VqVae.Codec.Tool.Commands;

/// <summary>`vqz compress`: images to .vqz files.</summary>
internal static class CompressCommand
{
    /// <summary>One file's outcome.</summary>
    internal sealed record Row(string Input, string Output, long Bytes, double Bpp, double? Psnr, double EncodeMs, double VerifyMs, string? Error, int ExitCode, Exception? Failure = null);

    public static Command Create()
    {
        var inputs = new Argument<string[]>("inputs") { Description = "Images (PNG, JPEG, BMP) or folders of images.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--output", "-o") { Description = "Output file (one input) or folder; default: beside each input, with .vqz." };
        var quality = new Option<string>("--quality", "-q") { Description = "low | medium | high | max.", DefaultValueFactory = _ => CodecOptions.Default.Quality.ToString() };
        quality.AcceptOnlyFromAmong("low", "medium", "high", "max");
        var model = new Option<string?>("--model") { Description = "VQ-VAE model file or name (instead of the preset's); needs --prior." };
        var prior = new Option<string?>("--prior") { Description = "Prior model file or name to go with --model." };
        var levelPrior = new Option<string?>("--level-prior") { Description = "Level prior (.vql) file or name to go with --model and --prior: codes levels 2 and up (--levels)." };
        var tile = new Option<int?>("--tile") { Description = "Prior tile side in codes (0 = whole grid, else 4..256, a power of two)." }.TileSide();
        var embed = new Option<bool>("--embed-model") { Description = "Carry the models in the file (LZ4) so it decodes where they are not installed." };
        var noVerify = new Option<bool>("--no-verify") { Description = "Skip decoding each file again to check it (and the PSNR it gives)." };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Files coded at once when coded one at a time (a single file, or a batch that failed).", DefaultValueFactory = _ => 1 }.InRange(1, OptionLimits.MaxThreads);
        var force = new Option<bool>("--force", "-f") { Description = "Overwrite existing outputs." };
        var table = new Option<bool>("--table") { Description = "With several files, a row per file as well as the summary line." };
        var codec = new CodecOptionSet();
        var command = new Command("compress", "Compress images to .vqz files.") { inputs };
        foreach (var o in new Option[] { output, quality, model, prior, levelPrior, tile, embed, noVerify, jobs, force, table }) command.Options.Add(o);
        codec.AddTo(command);

        command.SetAction(async (p, cancel) =>
        {
            var console = ToolConsole.For(p);
            var files = InputFiles.Expand(p.GetValue(inputs)!, ImageCodecs.IsImageName);
            if (files.Count == 0) throw new UsageException("no images among the inputs");
            if ((p.GetValue(model) is null) != (p.GetValue(prior) is null)) throw new UsageException("--model and --prior go together");
            if (p.GetValue(levelPrior) is not null && p.GetValue(model) is null) throw new UsageException("--level-prior goes with --model and --prior");
            var options = codec.Build(p, Quality.Parse(p.GetValue(quality)!), !p.GetValue(noVerify), p.GetValue(tile), p.GetValue(embed));
            using var catalog = codec.OpenCatalog(p);
            var explicitModels = p.GetValue(model) is { } m
                ? FSharpOption<CodecModels>.Some(catalog.Load(catalog.Find("vqvae", m), catalog.Find("prior", p.GetValue(prior)!),
                    p.GetValue(levelPrior) is { } lp ? FSharpOption<ModelSource>.Some(catalog.Find("level-prior", lp)) : FSharpOption<ModelSource>.None))
                : FSharpOption<CodecModels>.None;
            bool single = p.GetValue(inputs)!.Length == 1 && files.Count == 1;
            var targets = InputFiles.OutputsFor(files, p.GetValue(output), single, ".vqz");
            var rows = new Row[files.Count];
            var existing = OutputRule.Of(p.GetValue(force));
            var clock = Stopwatch.StartNew();

            if (files.Count == 1)
                rows[0] = CompressOne(console, catalog, options, explicitModels, files[0], targets[0], existing, cancel);
            else
                await FileRun.WithProgress(console, files.Count, "compressing", done =>
                    CompressBatched(console, catalog, options, explicitModels, files, targets, existing, p.GetValue(jobs), rows, done, cancel));
            double seconds = clock.Elapsed.TotalSeconds;

            if (files.Count == 1 || p.GetValue(table))
            {
                var rowTable = new Table().AddColumns("input", "bytes", "bpp", "PSNR (dB)", "encode (ms)", "verify (ms)");
                foreach (var r in rows)
                    rowTable.AddRow(Markup.Escape(Path.GetFileName(r.Input)), r.Error is null ? r.Bytes.ToString() : "[red]failed[/]",
                        r.Error is null ? r.Bpp.ToString("F4") : "", r.Psnr?.ToString("F2") ?? "", r.Error is null ? r.EncodeMs.ToString("F0") : "",
                        r.Error is null && r.VerifyMs > 0 ? r.VerifyMs.ToString("F0") : "");
                console.Ansi.Write(rowTable);
            }
            foreach (var r in rows.Where(r => r.Error is not null)) console.FileError(r.Input, r.Error!, r.Failure, p);
            var ok = rows.Where(r => r.Error is null).ToList();
            if (files.Count > 1)
                console.Out.WriteLine($"{ok.Count} files: " +
                                      (ok.Count > 0 ? $"mean {ok.Average(r => r.Bpp):F4} bpp" +
                                                      (ok.All(r => r.Psnr is not null) ? $", mean PSNR {ok.Average(r => r.Psnr!.Value):F2} dB" : "") +
                                                      $", {ok.Sum(r => r.Bytes)} bytes" : "none coded") +
                                      (rows.Length > ok.Count ? $"; {rows.Length - ok.Count} failed" : "") +
                                      $"; {seconds:F1} s, {files.Count / Math.Max(seconds, 1e-9):F0} images/s");
            return rows.Select(r => r.ExitCode).FirstOrDefault(c => c != ExitCodes.Ok, ExitCodes.Ok);
        });
        return command;
    }

    /// <summary>Files per batch, and pixels per batch (a bound on the memory that decoded images take).</summary>
    internal const int BatchFiles = 256;
    internal const long BatchPixels = 1L << 22;

    /// <summary>
    /// Several files through the library's batched path (ImageCodec.encodeMany, which codes images of one
    /// size and models together; the files are byte for byte those coded one at a time): the files are
    /// read in order into batches of at most <see cref="BatchFiles"/> files and <see cref="BatchPixels"/>
    /// pixels. A file that cannot be read fails alone; when a batch fails, its files are coded one at a
    /// time, so each gets its own outcome. Reading the next batch and writing the last one run beside the
    /// coding of this one (a pipeline of three batches at most: bounded memory, and the order of files and
    /// the bytes of every file are those of one batch after another).
    /// </summary>
    internal static void CompressBatched(ToolConsole console, ModelCatalog catalog, CodecOptions options, FSharpOption<CodecModels> models,
        IReadOnlyList<string> files, IReadOnlyList<string> targets, ExistingOutput existing, int jobs, Row[] rows, Action<int> done, CancellationToken cancel)
    {
        using var ready = new BlockingCollection<List<(int Index, RgbImage Image)>>(boundedCapacity: 1);
        var reader = Task.Run(() =>
        {
            try
            {
                ReadBatches(console, options, files, targets, existing, rows, done, batch => ready.Add(batch, cancel), cancel);
            }
            finally
            {
                ready.CompleteAdding();
            }
        }, cancel);
        var writing = Task.CompletedTask;
        try
        {
            foreach (var batch in ready.GetConsumingEnumerable(cancel))
            {
                var encoded = EncodeBatch(catalog, options, models, batch, cancel);
                writing.GetAwaiter().GetResult();
                if (encoded is null)
                {
                    // The batch failed as a whole: each file on its own, for its own outcome.
                    Parallel.For(0, batch.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, jobs), CancellationToken = cancel }, j =>
                    {
                        int i = batch[j].Index;
                        rows[i] = CompressOne(console, catalog, options, models, files[i], targets[i], existing, cancel);
                    });
                    done(batch.Count);
                }
                else
                {
                    writing = Task.Run(() =>
                    {
                        WriteBatch(files, targets, existing, rows, batch, encoded, cancel);
                        done(batch.Count);
                    }, cancel);
                }
            }
        }
        finally
        {
            // Never leave the reader or a writer running behind a failure (their own errors surface below).
            ready.CompleteAdding();
            ((IAsyncResult)writing).AsyncWaitHandle.WaitOne();
            ((IAsyncResult)reader).AsyncWaitHandle.WaitOne();
        }
        writing.GetAwaiter().GetResult();
        reader.GetAwaiter().GetResult();
    }

    /// <summary>Reads and decodes the files in order, handing on batches; a file that cannot be read gets its row here.</summary>
    private static void ReadBatches(ToolConsole console, CodecOptions options, IReadOnlyList<string> files, IReadOnlyList<string> targets,
        ExistingOutput existing, Row[] rows, Action<int> done, Action<List<(int Index, RgbImage Image)>> emit, CancellationToken cancel)
    {
        var batch = new List<(int Index, RgbImage Image)>();
        long pixels = 0;
        for (int i = 0; i < files.Count; i++)
        {
            cancel.ThrowIfCancellationRequested();
            try
            {
                AtomicFile.Check(targets[i], existing);
                ImageCodecs.CheckHeader(files[i], options.MaxPixels);
                var image = ImageCodecs.Decode(InputFiles.Read(files[i], ImageCodecs.MaxFileBytes), files[i], options.MaxPixels);
                if (image.SourceHasAlpha) console.Warn($"{files[i]}: the alpha channel is dropped (vqz codes colour only)");
                if (image.SourceBitsPerChannel > 8) console.Warn($"{files[i]}: {image.SourceBitsPerChannel}-bit samples are reduced to 8 bits");
                batch.Add((i, image));
                pixels += (long)image.Width * image.Height;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var (code, message) = ErrorReport.Classify(e);
                rows[i] = new Row(files[i], targets[i], 0, 0, null, 0, 0, message, code, e);
                done(1);
            }
            if (batch.Count == BatchFiles || pixels >= BatchPixels || (i == files.Count - 1 && batch.Count > 0))
            {
                emit(batch);
                batch = new List<(int Index, RgbImage Image)>();
                pixels = 0;
            }
        }
    }

    /// <summary>The batch coded together, or null when that fails (its files are then coded one at a time).</summary>
    private static EncodedImage[]? EncodeBatch(ModelCatalog catalog, CodecOptions options, FSharpOption<CodecModels> models,
        List<(int Index, RgbImage Image)> batch, CancellationToken cancel)
    {
        try
        {
            return ImageCodec.encodeMany(catalog, options, models, batch.Select(b => b.Image).ToArray(), cancel);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes each file of a coded batch (and measures its PSNR) on its own: the targets are distinct, so
    /// in parallel, which changes no byte of any file.
    /// </summary>
    private static void WriteBatch(IReadOnlyList<string> files, IReadOnlyList<string> targets, ExistingOutput existing, Row[] rows,
        List<(int Index, RgbImage Image)> batch, EncodedImage[] encoded, CancellationToken cancel)
    {
        AtomicFile.RemoveStaleTemporaries(batch.Select(b => Path.GetFullPath(targets[b.Index])));
        Parallel.For(0, batch.Count, new ParallelOptions { CancellationToken = cancel }, j =>
        {
            var (i, image) = batch[j];
            var e = encoded[j];
            try
            {
                AtomicFile.Write(targets[i], e.Bytes, existing, StaleTemporaries.AlreadyRemoved);
                double? psnr = e.Reconstruction is { } reconstruction ? PixelMetrics.Psnr(image, reconstruction.Value) : null;
                var t = e.Timings;
                rows[i] = new Row(files[i], targets[i], e.Bytes.Length, e.Bytes.Length * 8.0 / ((long)image.Width * image.Height), psnr,
                    t.NetworkMs + t.EntropyMs, t.VerifyMs, null, ExitCodes.Ok);
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                var (code, message) = ErrorReport.Classify(failure);
                rows[i] = new Row(files[i], targets[i], 0, 0, null, 0, 0, message, code, failure);
            }
        });
    }

    internal static Row CompressOne(ToolConsole console, ModelCatalog catalog, CodecOptions options, FSharpOption<CodecModels> models,
        string input, string target, ExistingOutput existing, CancellationToken cancel)
    {
        try
        {
            AtomicFile.Check(target, existing);
            ImageCodecs.CheckHeader(input, options.MaxPixels);
            var image = ImageCodecs.Decode(InputFiles.Read(input, ImageCodecs.MaxFileBytes), input, options.MaxPixels);
            if (image.SourceHasAlpha) console.Warn($"{input}: the alpha channel is dropped (vqz codes colour only)");
            if (image.SourceBitsPerChannel > 8) console.Warn($"{input}: {image.SourceBitsPerChannel}-bit samples are reduced to 8 bits");
            var clock = Stopwatch.StartNew();
            var encoded = ImageCodec.encode(catalog, options, models, image, cancel);
            AtomicFile.Write(target, encoded.Bytes, existing);
            double? psnr = encoded.Reconstruction is { } reconstruction ? PixelMetrics.Psnr(image, reconstruction.Value) : null;
            var t = encoded.Timings;
            return new Row(input, target, encoded.Bytes.Length, encoded.Bytes.Length * 8.0 / ((long)image.Width * image.Height), psnr,
                t.NetworkMs + t.EntropyMs, t.VerifyMs, null, ExitCodes.Ok);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var (code, message) = ErrorReport.Classify(e);
            return new Row(input, target, 0, 0, null, 0, 0, message, code, e);
        }
    }
}
