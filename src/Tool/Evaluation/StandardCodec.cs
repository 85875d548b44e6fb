using VqVae.Codec.Models.Data;

namespace VqVae.Codec.Tool.Evaluation;

/// <summary>One image coded by a standard codec: the true file size, the decoder's image and both times.</summary>
internal sealed record CodecRun(long Bytes, RgbImage Decoded, double EncodeMs, double DecodeMs);

/// <summary>
/// A standard image codec run through its command-line encoder and decoder (found on PATH): the image is
/// written to a file in a private temporary folder, encoded, the file's size taken, decoded, read back,
/// and the files deleted. Subclasses give the programs, their arguments and the quality sweep.
/// </summary>
internal abstract class StandardCodec
{
    private ExternalTool? encoder;
    private ExternalTool? decoder;
    private bool searched;

    /// <summary>Every codec the evaluation knows, in the order they are reported.</summary>
    public static IReadOnlyList<StandardCodec> All() => [new JpegCodec(), new WebpCodec(), new AvifCodec()];

    /// <summary>The codec's name on the command line and in reports (jpeg).</summary>
    public abstract string Name { get; }

    /// <summary>Encoder and decoder program names.</summary>
    public abstract (string Encoder, string Decoder) Programs { get; }

    /// <summary>The Debian package that installs both.</summary>
    public abstract string Package { get; }

    /// <summary>The quality parameter the sweep varies, as the tool calls it (-quality).</summary>
    public abstract string Parameter { get; }

    /// <summary>The default sweep of that parameter, from low to high quality.</summary>
    public abstract IReadOnlyList<int> DefaultSweep { get; }

    /// <summary>Values the parameter accepts.</summary>
    public abstract (int Min, int Max) Range { get; }

    /// <summary>A setting as reported (q30, qp40).</summary>
    public abstract string Label(int setting);

    /// <summary>Where the encoder and decoder were found (after <see cref="Missing"/>).</summary>
    public string Location => encoder is null ? "" : $"{encoder.FullPath}, {decoder!.FullPath}";

    /// <summary>Why the codec cannot run here (a sentence), or null when both programs are on PATH.</summary>
    public string? Missing()
    {
        if (!searched)
        {
            encoder = ExternalTool.Find(Programs.Encoder);
            decoder = ExternalTool.Find(Programs.Decoder);
            searched = true;
        }
        var missing = new[] { (Programs.Encoder, encoder), (Programs.Decoder, decoder) }.Where(t => t.Item2 is null).Select(t => t.Item1).ToList();
        return missing.Count == 0 ? null
            : $"{string.Join(" and ", missing)} {(missing.Count == 1 ? "is" : "are")} not on PATH (Debian: apt-get install {Package})";
    }

    /// <summary>Codes <paramref name="image"/> at <paramref name="setting"/> with files in <paramref name="folder"/>, deleted afterwards.</summary>
    public CodecRun Run(RgbImage image, int setting, string folder, CancellationToken cancel)
    {
        if (Missing() is { } why) throw new ExternalToolException($"{Name}: {why}");
        var stem = Path.Combine(folder, Guid.NewGuid().ToString("N"));
        var (input, coded, decoded) = (stem + InputExtension, stem + CodedExtension, stem + DecodedExtension);
        try
        {
            File.WriteAllBytes(input, WriteInput(image));
            double encodeMs = encoder!.Run(EncodeArguments(setting, input, coded), cancel);
            long bytes = new FileInfo(coded).Length;
            double decodeMs = decoder!.Run(DecodeArguments(coded, decoded), cancel);
            var result = ImageCodecs.Decode(File.ReadAllBytes(decoded), decoded);
            if (result.Width != image.Width || result.Height != image.Height)
                throw new ExternalToolException($"{Programs.Decoder} gave a {result.Width}x{result.Height} image for a {image.Width}x{image.Height} one");
            return new CodecRun(bytes, result, encodeMs, decodeMs);
        }
        finally
        {
            foreach (var f in new[] { input, coded, decoded })
                if (File.Exists(f)) File.Delete(f);
        }
    }

    /// <summary>Extension of the encoder's input file (.bmp, .png).</summary>
    protected abstract string InputExtension { get; }

    /// <summary>Extension of the coded file (.jpg).</summary>
    protected abstract string CodedExtension { get; }

    /// <summary>Extension of the decoder's output file (.bmp, .png).</summary>
    protected abstract string DecodedExtension { get; }

    /// <summary>The encoder's input file: lossless PNG, or BMP.</summary>
    protected virtual byte[] WriteInput(RgbImage image) => ImageCodecs.EncodePng(image);

    /// <summary>Encoder arguments.</summary>
    protected abstract IEnumerable<string> EncodeArguments(int setting, string input, string output);

    /// <summary>Decoder arguments.</summary>
    protected abstract IEnumerable<string> DecodeArguments(string input, string output);
}
