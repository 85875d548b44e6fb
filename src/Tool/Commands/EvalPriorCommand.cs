using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using VqVae.Codec.Models.Evaluation;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Models.Priors;
using VqVae.Codec.Models.Training;
using VqVae.Codec.Entropy;
using VqVae.Codec.Pipeline;
using VqVae.Codec.Tool.Terminal;

namespace VqVae.Codec.Tool.Commands;

/// <summary>
/// `vqz eval prior`: bits per code and bits per dimension of test code grids under several priors (the
/// uniform reference always, then every --prior file, then every checkpoint matched by --checkpoints).
/// </summary>
internal static class EvalPriorCommand
{
    public static Command Create()
    {
        var vqvaeOption = new Option<string>("--vqvae") { Description = "The VQ-VAE model whose codes are evaluated.", Required = true };
        var data = new DataOptions("", "Test images (encoded to code grids once, cached).", required: true);
        var priors = new Option<string[]>("--prior") { Description = "Prior model files (repeatable).", AllowMultipleArgumentsPerToken = true };
        var checkpoints = new Option<string[]>("--checkpoints") { Description = "Training checkpoints of one prior (e.g. runs/p.vqp.epoch*.ckpt), for bpd against training progress.", AllowMultipleArgumentsPerToken = true };
        var json = new Option<string?>("--json") { Description = "Also write the table as JSON." };
        var command = new Command("prior", "Bits per code and per dimension of test code grids under priors and checkpoints.");
        command.Options.Add(vqvaeOption);
        data.AddTo(command);
        foreach (var o in new Option[] { priors, checkpoints, json }) command.Options.Add(o);
        command.SetAction((p, cancel) =>
        {
            var console = ToolConsole.For(p);
            using var vqvae = VqVaeModel.Load(p.GetValue(vqvaeOption)!);
            var grids = CodeGridCache.Load(vqvae, data, p, console.Out, cancel)!;
            var rows = new List<(string Name, string Kind, PriorEvaluation E, double? CodedBits)>();
            int threads = Environment.ProcessorCount;
            double? Coded(Models.Priors.Prior prior)
            {
                // The actual size: every grid range-coded with the prior's exact evaluator (whole grid, no tiles).
                var weights = PriorCoding.gatedWeights(prior);
                if (PriorCoding.gridModel(prior, weights, 0, 1) is null) return null;
                long bytes = 0;
                foreach (var group in grids.Grids.GroupBy(g => (g.Height, g.Width)))
                {
                    var shape = new GridShape(group.Key.Height, group.Key.Width);
                    var payloads = PriorCoding.encodeGrids(prior, weights, 0, threads, shape, group.Select(g => g.Codes.Select(c => (int)c).ToArray()).ToArray(), cancel);
                    bytes += payloads.Sum(b => (long)b.Length);
                }
                return bytes * 8.0;
            }
            var k = vqvae.Network.Architecture.CodebookSize;
            using (var uniform = PriorFactory.Create(new PriorArchitecture { Kind = PriorKind.Uniform, CodebookSize = k }))
                rows.Add(("uniform", "uniform", PriorEvaluator.Evaluate(uniform, grids, cancel: cancel), Coded(uniform)));
            foreach (var file in p.GetValue(priors) ?? [])
            {
                using var prior = PriorModel.Load(file);
                Check(prior, vqvae, file, console);
                rows.Add((Path.GetFileName(file), PriorArchitecture.NameOf(prior.Prior.Architecture.Kind), PriorEvaluator.Evaluate(prior.Prior, grids, cancel: cancel),
                    Coded(prior.Prior)));
            }
            foreach (var file in (p.GetValue(checkpoints) ?? []).Order(StringComparer.Ordinal))
            {
                var checkpoint = Checkpoint.Load(file);
                using var prior = PriorModel.FromFile(ModelFile.Parse(checkpoint.Model, file), ModelFile.DigestOf(checkpoint.Model), file);
                rows.Add(($"{Path.GetFileName(file)} (step {checkpoint.Step})", PriorArchitecture.NameOf(prior.Prior.Architecture.Kind),
                    PriorEvaluator.Evaluate(prior.Prior, grids, cancel: cancel), null));
            }
            var table = new Table().AddColumns("prior", "kind", "bits/code", "bits/dim", "vs uniform", "coded bits/code", "coded / ideal");
            foreach (var (name, kind, e, coded) in rows)
                table.AddRow(Markup.Escape(name), kind, e.BitsPerCode.ToString("F4"), e.BitsPerDimension.ToString("F4"), (e.BitsPerCode / rows[0].E.BitsPerCode).ToString("P1"),
                    coded is double c ? (c / e.Codes).ToString("F4") : "-", coded is double c2 ? (c2 / e.TotalBits).ToString("F4") : "-");
            console.Out.WriteLine($"{grids.Grids.Count} test grids, {rows[0].E.Codes} codes, VQ-VAE {vqvae.Name} ({vqvae.ShortDigest})");
            console.Ansi.Write(table);
            if (p.GetValue(json) is { } jsonPath)
            {
                var array = new JsonArray(rows.Select(r => (JsonNode)new JsonObject
                {
                    ["prior"] = r.Name, ["kind"] = r.Kind, ["bitsPerCode"] = r.E.BitsPerCode, ["bitsPerDimension"] = r.E.BitsPerDimension,
                    ["grids"] = r.E.Grids, ["codes"] = r.E.Codes,
                    ["codedBitsPerCode"] = r.CodedBits is double c ? c / r.E.Codes : null,
                    ["codedOverIdeal"] = r.CodedBits is double c3 ? c3 / r.E.TotalBits : null,
                }).ToArray());
                var doc = new JsonObject { ["vqvae"] = vqvae.Name, ["vqvaeDigest"] = Convert.ToHexStringLower(vqvae.Digest), ["data"] = p.GetValue(data.Path), ["rows"] = array };
                AtomicFile.Write(jsonPath, System.Text.Encoding.UTF8.GetBytes(doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
            }
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static void Check(PriorModel prior, VqVaeModel vqvae, string file, ToolConsole console)
    {
        if (!prior.VqVaeDigest.AsSpan().SequenceEqual(vqvae.Digest))
            console.Warn($"{file} was trained on another VQ-VAE's codes ({Convert.ToHexStringLower(prior.VqVaeDigest.AsSpan(0, 8))})");
    }
}
