using VqVae.Codec.Models.Data;

namespace VqVae.Codec.Models.Evaluation;

/// <summary>Distortion between 8-bit images.</summary>
public static class PixelMetrics
{
    /// <summary>Sum of squared differences of 8-bit levels and the number of samples compared.</summary>
    public static (double SumSquares, long Count) SquaredError(RgbImage a, RgbImage b)
    {
        if (a.Width != b.Width || a.Height != b.Height) throw new ArgumentException("images differ in size");
        double sum = 0;
        for (int i = 0; i < a.Pixels.Length; i++)
        {
            int d = a.Pixels[i] - b.Pixels[i];
            sum += d * d;
        }
        return (sum, a.Pixels.Length);
    }

    /// <summary>PSNR in dB of 8-bit RGB from a mean squared error in 8-bit levels (infinity for identical images).</summary>
    public static double Psnr(double mse255) => mse255 <= 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / mse255);

    /// <summary>PSNR in dB between two 8-bit images.</summary>
    public static double Psnr(RgbImage a, RgbImage b)
    {
        var (sum, n) = SquaredError(a, b);
        return Psnr(sum / n);
    }
}
