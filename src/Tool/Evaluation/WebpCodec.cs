namespace VqVae.Codec.Tool.Evaluation;

/// <summary>Lossy WebP with libwebp's cwebp and dwebp: -q sweep, default method (-m 4), 4:2:0; PNG in and out.</summary>
internal sealed class WebpCodec : StandardCodec
{
    public override string Name => "webp";
    public override (string Encoder, string Decoder) Programs => ("cwebp", "dwebp");
    public override string Package => "webp";
    public override string Parameter => "-q";
    public override IReadOnlyList<int> DefaultSweep => [0, 2, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90];   // from 0: on thumbnails q5 is already above the vqz presets
    public override (int Min, int Max) Range => (0, 100);
    public override string Label(int setting) => $"q{setting}";
    protected override string InputExtension => ".png";
    protected override string CodedExtension => ".webp";
    protected override string DecodedExtension => ".png";

    protected override IEnumerable<string> EncodeArguments(int setting, string input, string output) =>
        ["-quiet", "-q", setting.ToString(), input, "-o", output];

    protected override IEnumerable<string> DecodeArguments(string input, string output) => ["-quiet", input, "-o", output];
}
