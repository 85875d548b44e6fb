using VqVae.Codec.Evaluation;
using VqVae.Codec.Models.Data;

namespace VqVae.Codec.Tool.Evaluation;

/// <summary>One image coded at one setting: the true file size and the distortion of the decoder's image.</summary>
internal sealed record ImageMeasurement(
    string Image, int Width, int Height, long Bytes, double Bpp, double Psnr, double? MsSsim, int MsSsimScales, double EncodeMs, double DecodeMs)
{
    /// <summary>Measures <paramref name="decoded"/> against <paramref name="original"/>; bpp = bytes x 8 / pixels.</summary>
    public static ImageMeasurement Of(string name, RgbImage original, RgbImage decoded, long bytes, double encodeMs, double decodeMs)
    {
        var ms = ImageMetrics.msSsim(original, decoded);
        return new ImageMeasurement(name, original.Width, original.Height, bytes, bytes * 8.0 / ((long)original.Width * original.Height),
            ImageMetrics.psnr(original, decoded), ms?.Value.Value, ms?.Value.Scales ?? 0, encodeMs, decodeMs);
    }
}

/// <summary>
/// One codec at one setting over every image: a point of a rate-distortion curve. The means are
/// arithmetic means over the images of each image's bpp, PSNR and MS-SSIM.
/// </summary>
internal sealed record RdPointResult(string Codec, string Setting, IReadOnlyList<ImageMeasurement> Images, IReadOnlyList<string> Models)
{
    public double Bpp => Images.Average(i => i.Bpp);
    public double Psnr => Images.Average(i => i.Psnr);

    /// <summary>Mean MS-SSIM, or null when an image is too small for it (under 11 pixels a side).</summary>
    public double? MsSsim => Images.All(i => i.MsSsim is not null) ? Images.Average(i => i.MsSsim!.Value) : null;

    public double EncodeMs => Images.Average(i => i.EncodeMs);
    public double DecodeMs => Images.Average(i => i.DecodeMs);
    public double Bytes => Images.Average(i => (double)i.Bytes);

    /// <summary>(bpp, PSNR) for the BD-rate.</summary>
    public RdPoint PsnrPoint => new(Bpp, Psnr);

    /// <summary>(bpp, MS-SSIM in dB) for the BD-rate, when there is a mean MS-SSIM.</summary>
    public RdPoint? MsSsimPoint => MsSsim is { } m ? new RdPoint(Bpp, ImageMetrics.msSsimDb(m)) : null;
}

/// <summary>A codec (or vqz preset) that was not measured, and why.</summary>
internal sealed record SkippedCodec(string Codec, string Reason);

/// <summary>A BD-rate of the vqz curve against a standard codec, or the reason there is none.</summary>
internal sealed record BdRateRow(string Anchor, string Metric, double? Percent, double? From, double? To, string? Reason);

/// <summary>The rate of one vqz preset against a standard codec's curve at the same PSNR, or the reason there is none.</summary>
internal sealed record EqualQualityRow(string Preset, string Anchor, double? Percent, string? Reason);

/// <summary>Everything `vqz eval codec` measured.</summary>
internal sealed record CodecEvaluation(
    string Data, int? PerFolder, int? Limit, IReadOnlyList<string> ImageNames, IReadOnlyList<RdPointResult> Points, IReadOnlyList<SkippedCodec> Skipped,
    string BdMethodName, IReadOnlyList<BdRateRow> BdRates, IReadOnlyList<EqualQualityRow> AtEqualPsnr)
{
    /// <summary>The vqz encoder's entropy-constrained rate weight (--rate-lambda; 0 = nearest prototypes).</summary>
    public double RateLambda { get; init; }

    /// <summary>The codecs measured, in report order (vqz first).</summary>
    public IEnumerable<string> Codecs => Points.Select(p => p.Codec).Distinct();

    /// <summary>How many images used each number of MS-SSIM scales.</summary>
    public IReadOnlyList<(int Scales, int Images)> MsSsimScales =>
        Points.Count == 0 ? [] : Points[0].Images.GroupBy(i => i.MsSsimScales).OrderByDescending(g => g.Key).Select(g => (g.Key, g.Count())).ToList();
}
