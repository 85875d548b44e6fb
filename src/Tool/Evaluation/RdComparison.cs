using VqVae.Codec.Evaluation;

namespace VqVae.Codec.Tool.Evaluation;

/// <summary>BD-rates of the curve the vqz presets form against each standard codec's curve.</summary>
internal static class RdComparison
{
    /// <summary>
    /// Narrowest overlap of the quality ranges (in dB, PSNR or MS-SSIM dB) that gives a BD-rate: about
    /// one step of the standard sweeps; a number from a narrower sliver says more about the fit than the codecs.
    /// </summary>
    public const double MinOverlapDb = 0.5;

    /// <summary>Parses pchip | cubic.</summary>
    public static BdMethod ParseMethod(string name) => name switch
    {
        "pchip" => BdMethod.Pchip,
        "cubic" => BdMethod.CubicPolynomial,
        _ => throw new UsageException($"--bd-method {name}: expected pchip or cubic"),
    };

    /// <summary>The BD-rate rows (PSNR and MS-SSIM) of vqz against every other codec among <paramref name="points"/>.</summary>
    public static List<BdRateRow> BdRates(IReadOnlyList<RdPointResult> points, BdMethod method)
    {
        var vqz = points.Where(p => p.Codec == "vqz").ToList();
        var rows = new List<BdRateRow>();
        if (vqz.Count == 0) return rows;
        foreach (var anchor in points.Where(p => p.Codec != "vqz").GroupBy(p => p.Codec))
        {
            rows.Add(Row(anchor.Key, "psnr", method, anchor.Select(p => p.PsnrPoint), vqz.Select(p => p.PsnrPoint)));
            if (anchor.Any(p => p.MsSsimPoint is null) || vqz.Any(p => p.MsSsimPoint is null))
                rows.Add(new BdRateRow(anchor.Key, "msssim", null, null, null, "MS-SSIM is undefined for images under 11 pixels a side"));
            else
                rows.Add(Row(anchor.Key, "msssim", method, anchor.Select(p => p.MsSsimPoint!), vqz.Select(p => p.MsSsimPoint!)));
        }
        return rows;
    }

    private static BdRateRow Row(string anchor, string metric, BdMethod method, IEnumerable<RdPoint> anchorPoints, IEnumerable<RdPoint> vqzPoints)
    {
        var result = BdRate.compute(method, MinOverlapDb, anchor, anchorPoints, "vqz", vqzPoints);
        return result switch
        {
            BdRateResult.Percent p => new BdRateRow(anchor, metric, p.percent, p.low, p.high, null),
            BdRateResult.Undefined u => new BdRateRow(anchor, metric, null, null, null, u.reason),
            _ => throw new InvalidOperationException("unknown BD-rate result"),
        };
    }

    /// <summary>Each vqz preset's rate against each standard codec's curve at the preset's PSNR.</summary>
    public static List<EqualQualityRow> AtEqualPsnr(IReadOnlyList<RdPointResult> points)
    {
        var rows = new List<EqualQualityRow>();
        foreach (var preset in points.Where(p => p.Codec == "vqz"))
            foreach (var anchor in points.Where(p => p.Codec != "vqz").GroupBy(p => p.Codec))
            {
                var curve = anchor.Select(p => p.PsnrPoint).ToList();
                if (curve.Count < 2)
                {
                    rows.Add(new EqualQualityRow(preset.Setting, anchor.Key, null, $"{anchor.Key} has {curve.Count} point; a curve needs 2"));
                    continue;
                }
                var percent = BdRate.atEqualQuality(curve, preset.PsnrPoint);
                rows.Add(percent is null
                    ? new EqualQualityRow(preset.Setting, anchor.Key, null,
                        $"{preset.Psnr:F2} dB is outside {anchor.Key}'s {curve.Min(p => p.Quality):F2} to {curve.Max(p => p.Quality):F2} dB")
                    : new EqualQualityRow(preset.Setting, anchor.Key, percent.Value, null));
            }
        return rows;
    }
}
