namespace VqVae.Codec;

/// <summary>One encoded image: the .vqz file and the figures a user asks about it.</summary>
public sealed class VqzEncoded
{
    private readonly byte[] bytes;
    private readonly int[][] grids;

    internal VqzEncoded(byte[] bytes, int width, int height, int[][] grids, int latentWidth, int latentHeight,
        double? psnr, VqzImage? reconstruction, string vqVaeModel, string priorModel, string? levelPriorModel, string modelsTag, TimeSpan encodeTime, TimeSpan verifyTime)
    {
        this.bytes = bytes;
        this.grids = grids;
        Width = width;
        Height = height;
        LatentWidth = latentWidth;
        LatentHeight = latentHeight;
        Psnr = psnr;
        Reconstruction = reconstruction;
        VqVaeModel = vqVaeModel;
        PriorModel = priorModel;
        LevelPriorModel = levelPriorModel;
        ModelsTag = modelsTag;
        EncodeTime = encodeTime;
        VerifyTime = verifyTime;
    }

    /// <summary>The .vqz file (a copy: the caller may change it).</summary>
    public byte[] ToArray() => (byte[])bytes.Clone();

    /// <summary>The .vqz file.</summary>
    public ReadOnlyMemory<byte> Bytes => bytes;

    /// <summary>Size of the .vqz file in bytes.</summary>
    public int Length => bytes.Length;

    /// <summary>Width of the image in pixels.</summary>
    public int Width { get; }

    /// <summary>Height of the image in pixels.</summary>
    public int Height { get; }

    /// <summary>Bits of the .vqz file (container included) per pixel.</summary>
    public double BitsPerPixel => bytes.Length * 8.0 / ((long)Width * Height);

    /// <summary>PSNR in dB of the decoder's image against the input (8-bit RGB); null when not verified.</summary>
    public double? Psnr { get; }

    /// <summary>The image a decoder makes of the file; null when not verified.</summary>
    public VqzImage? Reconstruction { get; }

    /// <summary>The code grid of level 1, row by row (<see cref="LatentHeight"/> rows of <see cref="LatentWidth"/> codes).</summary>
    public IReadOnlyList<int> Codes => grids[0];

    /// <summary>The code grid of every level sent, level 1 first (one grid without code levels; <see cref="VqzCodecOptions.Levels"/>).</summary>
    public IReadOnlyList<IReadOnlyList<int>> Levels => grids;

    /// <summary>Codes per row of the grid.</summary>
    public int LatentWidth { get; }

    /// <summary>Rows of the grid.</summary>
    public int LatentHeight { get; }

    /// <summary>Name of the VQ-VAE model that coded the image.</summary>
    public string VqVaeModel { get; }

    /// <summary>Name of the prior model that coded the image.</summary>
    public string PriorModel { get; }

    /// <summary>Name of the level prior that coded levels 2 and up; null for a file of one level.</summary>
    public string? LevelPriorModel { get; }

    /// <summary>The models tag written in the file's header (8 hexadecimal digits): the pair a decoder needs.</summary>
    public string ModelsTag { get; }

    /// <summary>Time spent in the networks, the prior and the range coder.</summary>
    public TimeSpan EncodeTime { get; }

    /// <summary>Time spent decoding the file again (zero when not verified).</summary>
    public TimeSpan VerifyTime { get; }
}
