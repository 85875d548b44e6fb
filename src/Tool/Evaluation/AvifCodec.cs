namespace VqVae.Codec.Tool.Evaluation;

/// <summary>
/// AVIF with libavif's avifenc and avifdec (0.11 has no -q): the colour quantizer fixed by --min Q --max Q
/// (0 lossless .. 63 worst), 4:4:4 (avifenc's default for PNG input, written out), speed 6, one thread;
/// PNG in and out, 8 bits.
/// </summary>
internal sealed class AvifCodec : StandardCodec
{
    public override string Name => "avif";
    public override (string Encoder, string Decoder) Programs => ("avifenc", "avifdec");
    public override string Package => "libavif-bin";
    public override string Parameter => "--min/--max quantizer";

    /// <remarks>From low quality (63) to high (10); listed in rising quality like the other sweeps.</remarks>
    public override IReadOnlyList<int> DefaultSweep => [63, 60, 55, 50, 45, 40, 35, 30, 20, 10];

    public override (int Min, int Max) Range => (0, 63);
    public override string Label(int setting) => $"qp{setting}";
    protected override string InputExtension => ".png";
    protected override string CodedExtension => ".avif";
    protected override string DecodedExtension => ".png";

    protected override IEnumerable<string> EncodeArguments(int setting, string input, string output) =>
        ["-j", "1", "-s", "6", "-y", "444", "-d", "8", "--min", setting.ToString(), "--max", setting.ToString(), input, output];

    protected override IEnumerable<string> DecodeArguments(string input, string output) => ["-j", "1", "-d", "8", input, output];
}
