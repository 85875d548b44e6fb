using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VqVae.Codec.Tool.Evaluation;

/// <summary>
/// The CSV and JSON files of `vqz eval codec` (docs/evaluation.md describes both). Non-finite numbers
/// (the infinite PSNR of an exact reconstruction) are written as empty CSV fields and JSON null.
/// </summary>
internal static class EvaluationFiles
{
    /// <summary>The JSON "kind" by which `vqz plot` recognises an evaluation.</summary>
    public const string Kind = "vqz-eval-codec";

    /// <summary>The CSV header.</summary>
    public const string CsvHeader = "kind,codec,setting,image,width,height,bytes,bpp,psnr,msssim,msssim_scales,encode_ms,decode_ms";

    /// <summary>One line per image and setting ("image"), then one per setting ("mean").</summary>
    public static string ToCsv(CodecEvaluation e)
    {
        var csv = new StringBuilder(CsvHeader).Append('\n');
        foreach (var p in e.Points)
            foreach (var i in p.Images)
                csv.AppendJoin(',', "image", p.Codec, p.Setting, Quote(i.Image), i.Width.ToString(CultureInfo.InvariantCulture), i.Height.ToString(CultureInfo.InvariantCulture),
                    i.Bytes.ToString(CultureInfo.InvariantCulture), Number(i.Bpp), Number(i.Psnr), Number(i.MsSsim), i.MsSsimScales.ToString(CultureInfo.InvariantCulture),
                    Number(i.EncodeMs), Number(i.DecodeMs)).Append('\n');
        foreach (var p in e.Points)
            csv.AppendJoin(',', "mean", p.Codec, p.Setting, "", "", "", Number(p.Bytes), Number(p.Bpp), Number(p.Psnr), Number(p.MsSsim), "",
                Number(p.EncodeMs), Number(p.DecodeMs)).Append('\n');
        return csv.ToString();
    }

    /// <summary>The whole evaluation as indented JSON.</summary>
    public static string ToJson(CodecEvaluation e, int bdMinimumPoints)
    {
        var root = new JsonObject
        {
            ["kind"] = Kind,
            ["version"] = 1,
            ["data"] = e.Data,
            ["perFolder"] = e.PerFolder,
            ["limit"] = e.Limit,
            ["images"] = e.ImageNames.Count,
            ["definitions"] = new JsonObject
            {
                ["bpp"] = "file size in bytes x 8 / (width x height), the whole file (headers included)",
                ["psnr"] = "10 log10(255^2 / MSE), MSE over every R, G and B sample of 8-bit images; the mean is over images",
                ["msssim"] = "MS-SSIM (Wang, Simoncelli, Bovik 2003) per R, G, B channel, averaged; Gaussian 11x11 sigma 1.5, K1 0.01, K2 0.03, "
                           + "2x2 average downsampling; scales while the shorter side is >= 11 px (at most 5), fewer scales with renormalised weights",
                ["msssimDb"] = "-10 log10(1 - MS-SSIM) of the mean MS-SSIM",
                ["bdRate"] = $"Bjontegaard delta rate of the vqz presets' curve against each codec: log(bpp) interpolated against quality "
                           + $"({e.BdMethodName}, at least {bdMinimumPoints} points a curve), mean difference over the overlapping quality interval "
                           + $"(at least {RdComparison.MinOverlapDb} dB), 100 (exp(mean) - 1); negative: vqz needs fewer bits",
            },
            ["msssimScales"] = new JsonArray(e.MsSsimScales.Select(s => (JsonNode)new JsonObject { ["scales"] = s.Scales, ["images"] = s.Images }).ToArray()),
            ["points"] = new JsonArray(e.Points.Select(p => (JsonNode)new JsonObject
            {
                ["codec"] = p.Codec,
                ["setting"] = p.Setting,
                ["models"] = new JsonArray(p.Models.Select(m => (JsonNode)JsonValue.Create(m)).ToArray()),
                ["images"] = p.Images.Count,
                ["bytes"] = Json(p.Bytes),
                ["bpp"] = Json(p.Bpp),
                ["psnr"] = Json(p.Psnr),
                ["msssim"] = Json(p.MsSsim),
                ["msssimDb"] = p.MsSsimPoint is { } m ? Json(m.Quality) : null,
                ["encodeMs"] = Json(p.EncodeMs),
                ["decodeMs"] = Json(p.DecodeMs),
                ["perImage"] = new JsonArray(p.Images.Select(i => (JsonNode)new JsonObject
                {
                    ["image"] = i.Image,
                    ["width"] = i.Width,
                    ["height"] = i.Height,
                    ["bytes"] = i.Bytes,
                    ["bpp"] = Json(i.Bpp),
                    ["psnr"] = Json(i.Psnr),
                    ["msssim"] = Json(i.MsSsim),
                    ["msssimScales"] = i.MsSsimScales,
                    ["encodeMs"] = Json(i.EncodeMs),
                    ["decodeMs"] = Json(i.DecodeMs),
                }).ToArray()),
            }).ToArray()),
            ["skipped"] = new JsonArray(e.Skipped.Select(s => (JsonNode)new JsonObject { ["codec"] = s.Codec, ["reason"] = s.Reason }).ToArray()),
            ["bdRate"] = new JsonArray(e.BdRates.Select(b => (JsonNode)new JsonObject
            {
                ["test"] = "vqz",
                ["anchor"] = b.Anchor,
                ["metric"] = b.Metric,
                ["method"] = e.BdMethodName,
                ["percent"] = Json(b.Percent),
                ["from"] = Json(b.From),
                ["to"] = Json(b.To),
                ["reason"] = b.Reason,
            }).ToArray()),
            ["atEqualPsnr"] = new JsonArray(e.AtEqualPsnr.Select(r => (JsonNode)new JsonObject
            {
                ["preset"] = r.Preset,
                ["anchor"] = r.Anchor,
                ["percent"] = Json(r.Percent),
                ["reason"] = r.Reason,
            }).ToArray()),
        };
        if (e.RateLambda != 0) root["rateLambda"] = e.RateLambda;                     // the vqz encoder priced bits (docs/levels.md §4.5)
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static JsonNode? Json(double? value) => value is { } v && double.IsFinite(v) ? JsonValue.Create(Math.Round(v, 6)) : null;

    private static string Number(double? value) => value is { } v && double.IsFinite(v) ? v.ToString("0.######", CultureInfo.InvariantCulture) : "";

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";
}
