using VqVae.Codec.Models.Data;

namespace VqVae.Codec.Tool.Evaluation;

/// <summary>
/// JPEG with libjpeg-turbo's cjpeg and djpeg: baseline, 4:2:0, optimised Huffman tables (-optimize, a
/// lossless saving every fair comparison allows JPEG), integer DCT; BMP in and out (cjpeg 2.1 reads no PNG).
/// </summary>
internal sealed class JpegCodec : StandardCodec
{
    public override string Name => "jpeg";
    public override (string Encoder, string Decoder) Programs => ("cjpeg", "djpeg");
    public override string Package => "libjpeg-turbo-progs";
    public override string Parameter => "-quality";

    /// <remarks>No 75: the CIFAR-10 copies are quality-75 JPEGs, and re-encoding them at 75 is near-lossless.</remarks>
    public override IReadOnlyList<int> DefaultSweep => [5, 10, 20, 30, 40, 50, 60, 70, 80, 90];

    public override (int Min, int Max) Range => (1, 100);
    public override string Label(int setting) => $"q{setting}";
    protected override string InputExtension => ".bmp";
    protected override string CodedExtension => ".jpg";
    protected override string DecodedExtension => ".bmp";
    protected override byte[] WriteInput(RgbImage image) => ImageCodecs.EncodeBmp(image);

    protected override IEnumerable<string> EncodeArguments(int setting, string input, string output) =>
        ["-quality", setting.ToString(), "-optimize", "-outfile", output, input];

    protected override IEnumerable<string> DecodeArguments(string input, string output) => ["-bmp", "-outfile", output, input];
}
