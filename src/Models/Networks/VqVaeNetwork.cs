using TorchSharp;
using VqVae.Codec.Models.Quantizers;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Networks;

/// <summary>
/// Stage 1 of the thesis (section 5.1): encoder z_theta(x), quantizer with posterior q_w(z | z_theta(x)),
/// decoder p_phi(x | z). Images are [B, C, H, W] in [-0.5, 0.5]; H and W multiples of the downsampling.
/// </summary>
public sealed class VqVaeNetwork : nn.Module
{
    private readonly Encoder encoder;
    private readonly Quantizer quantizer;
    private readonly Decoder decoder;

    /// <summary>Builds a freshly initialised network.</summary>
    public VqVaeNetwork(VqVaeArchitecture architecture, QuantizerOptions quantizerOptions) : base(nameof(VqVaeNetwork))
    {
        Architecture = architecture.Validate();
        encoder = new Encoder(architecture);
        quantizer = QuantizerFactory.Create(architecture.CodebookSize, architecture.LatentDim, quantizerOptions);
        decoder = new Decoder(architecture);
        register_module("encoder", encoder);
        register_module("quantizer", quantizer);
        register_module("decoder", decoder);
    }

    /// <summary>The architecture the network was built from.</summary>
    public VqVaeArchitecture Architecture { get; }

    /// <summary>The quantizer, with its codebook.</summary>
    public Quantizer Quantizer => quantizer;

    /// <summary>One training or evaluation pass: the reconstruction and the quantizer's output.</summary>
    public (Tensor Reconstruction, QuantizerOutput Quantizer) Forward(Tensor images, double progress)
    {
        var latents = encoder.forward(images);
        var q = quantizer.Forward(latents, progress);
        var reconstruction = decoder.forward(q.Quantized);
        latents.Dispose();
        return (reconstruction, q);
    }

    /// <summary>Images [B, C, H, W] to code grids [B, H/f, W/f] (int64), the nearest prototype of each latent.</summary>
    public Tensor EncodeToCodes(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return quantizer.Encode(encoder.forward(images)).MoveToOuterDisposeScope();
    }

    /// <summary>Code grids [B, h, w] to images [B, C, h*f, w*f] (unclamped).</summary>
    public Tensor DecodeCodes(Tensor codes)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return decoder.forward(quantizer.Decode(codes)).MoveToOuterDisposeScope();
    }
}
