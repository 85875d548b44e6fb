using TorchSharp;
using TorchSharp.Modules;
using VqVae.Codec.Models.Quantizers;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Networks;

/// <summary>What one training or evaluation pass of <see cref="VqVaeNetwork"/> returns.</summary>
/// <param name="Reconstruction">The decoder's output [B, C, H, W] (unclamped).</param>
/// <param name="Levels">The quantizer's output of every code level, level 1 first (one entry for a one-level network).</param>
public sealed record VqVaeForward(Tensor Reconstruction, IReadOnlyList<QuantizerOutput> Levels)
{
    /// <summary>Level 1: the thesis's quantizer on the full latent.</summary>
    public QuantizerOutput Quantizer => Levels[0];
}

/// <summary>
/// Stage 1 of the thesis (section 5.1): encoder z_theta(x), quantizer with posterior q_w(z | z_theta(x)),
/// decoder p_phi(x | z). Images are [B, C, H, W] in [-0.5, 0.5]; H and W multiples of the downsampling.
/// With code levels (residual VQ), the decoder reads the sum of level 1's prototype and each further
/// level's contribution (<see cref="ResidualLevel"/>); the first n levels alone give a coarser image.
/// </summary>
public sealed class VqVaeNetwork : nn.Module
{
    private readonly Encoder encoder;
    private readonly Quantizer quantizer;
    private readonly Decoder decoder;
    private readonly ModuleList<ResidualLevel> levels;

    /// <summary>Builds a freshly initialised network (every further level with the same quantizer options as level 1).</summary>
    public VqVaeNetwork(VqVaeArchitecture architecture, QuantizerOptions quantizerOptions) : this(architecture, quantizerOptions, null) { }

    /// <summary>Builds a freshly initialised network; <paramref name="levelQuantizers"/> gives the quantizer of each further level (null: level 1's).</summary>
    public VqVaeNetwork(VqVaeArchitecture architecture, QuantizerOptions quantizerOptions, IReadOnlyList<QuantizerOptions>? levelQuantizers)
        : base(nameof(VqVaeNetwork))
    {
        Architecture = architecture.Validate();
        encoder = new Encoder(architecture);
        quantizer = QuantizerFactory.Create(architecture.CodebookSize, architecture.LatentDim, quantizerOptions);
        decoder = new Decoder(architecture);
        levels = new ModuleList<ResidualLevel>();
        var further = architecture.Levels ?? [];
        if (levelQuantizers is not null && levelQuantizers.Count != further.Count)
            throw new InvalidOptionsException($"{levelQuantizers.Count} level quantizers for {further.Count} further levels");
        for (int i = 0; i < further.Count; i++)
            levels.Add(new ResidualLevel(further[i], architecture.LatentDim, levelQuantizers?[i] ?? quantizerOptions));
        register_module("encoder", encoder);
        register_module("quantizer", quantizer);
        register_module("decoder", decoder);
        if (further.Count > 0) register_module("levels", levels);
    }

    /// <summary>The architecture the network was built from.</summary>
    public VqVaeArchitecture Architecture { get; }

    /// <summary>The quantizer of level 1, with its codebook.</summary>
    public Quantizer Quantizer => quantizer;

    /// <summary>The levels after the first, level 2 first.</summary>
    public IReadOnlyList<ResidualLevel> FurtherLevels => levels.ToList();

    /// <summary>L: the number of code levels (1 for the thesis's network).</summary>
    public int LevelCount => 1 + levels.Count;

    /// <summary>The codebook size of level <paramref name="level"/> (1-based).</summary>
    public int CodebookSizeOf(int level) => level == 1 ? Architecture.CodebookSize : levels[level - 2].Architecture.CodebookSize;

    /// <summary>
    /// One training or evaluation pass. <paramref name="levelsUsed"/> [B] (int64, 1..L), when given, is
    /// quantizer dropout: item b's decoder reads only its first levelsUsed[b] levels; null uses all.
    /// </summary>
    public VqVaeForward Forward(Tensor images, double progress, Tensor? levelsUsed = null)
    {
        using var scope = NewDisposeScope();
        var latents = encoder.forward(images);
        var first = quantizer.Forward(latents, progress);
        var outputs = new List<QuantizerOutput> { first };
        var decoderInput = first.Quantized;
        var reached = first.Quantized.detach();
        for (int i = 0; i < levels.Count; i++)
        {
            var (contribution, output) = levels[i].Forward(latents - reached, progress);   // the residual r_l = z - sum of earlier levels
            outputs.Add(output);
            reached = reached.Plus(contribution.detach());
            decoderInput = levelsUsed is null
                ? decoderInput.Plus(contribution)
                : decoderInput.Plus(contribution * levelsUsed.GreaterThan(i + 1).to_type(contribution.dtype).reshape(-1, 1, 1, 1));
        }
        var reconstruction = decoder.forward(decoderInput);
        foreach (var o in outputs) o.MoveToOuterDisposeScope();
        return new VqVaeForward(reconstruction.MoveToOuterDisposeScope(), outputs);
    }

    /// <summary>The ceiling of the networks: the decoder fed the encoder's unquantized latents (no quantizer at all).</summary>
    public Tensor ForwardUnquantized(Tensor images)
    {
        using var scope = NewDisposeScope();
        return decoder.forward(encoder.forward(images)).MoveToOuterDisposeScope();
    }

    /// <summary>Codebook maintenance of every level after the optimiser step; returns the codes re-seeded in all.</summary>
    public int AfterOptimizerStep(VqVaeForward pass)
    {
        int restarts = quantizer.AfterOptimizerStep(pass.Levels[0]);
        for (int i = 0; i < levels.Count; i++) restarts += levels[i].Quantizer.AfterOptimizerStep(pass.Levels[i + 1]);
        return restarts;
    }

    /// <summary>Images [B, C, H, W] to code grids [B, H/f, W/f] (int64), the nearest prototype of each latent.</summary>
    public Tensor EncodeToCodes(Tensor images) => EncodeToCodes(images, CodeChoice.Nearest);

    /// <summary>Images [B, C, H, W] to code grids [B, H/f, W/f] (int64), each code as <paramref name="choice"/> picks it.</summary>
    public Tensor EncodeToCodes(Tensor images, CodeChoice choice)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return quantizer.Encode(encoder.forward(images), choice).MoveToOuterDisposeScope();
    }

    /// <summary>Images to the code grids of the first <paramref name="count"/> levels, level 1 first, each [B, H/f, W/f] int64.</summary>
    public Tensor[] EncodeToLevels(Tensor images, int count) => EncodeToLevels(images, count, CodeChoice.Nearest);

    /// <summary>Images to the code grids of the first <paramref name="count"/> levels, each code as <paramref name="choice"/> picks it.</summary>
    public Tensor[] EncodeToLevels(Tensor images, int count, CodeChoice choice)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var grids = LatentsToLevels(encoder.forward(images), count, choice);
        foreach (var g in grids) g.MoveToOuterDisposeScope();
        return grids;
    }

    /// <summary>Residual VQ of latents [B, D, h, w]: level 1's nearest prototype, then each level's code of what the earlier ones left.</summary>
    public Tensor[] LatentsToLevels(Tensor latents, int count) => LatentsToLevels(latents, count, CodeChoice.Nearest);

    /// <summary>Residual VQ of latents [B, D, h, w], each level's code as <paramref name="choice"/> picks it (a level's residual is what the codes chosen before it left).</summary>
    public Tensor[] LatentsToLevels(Tensor latents, int count, CodeChoice choice)
    {
        RequireLevels(count);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var grids = new Tensor[count];
        grids[0] = quantizer.Encode(latents, choice);
        var reached = quantizer.Decode(grids[0]);
        for (int l = 1; l < count; l++)
        {
            grids[l] = levels[l - 1].Encode(latents - reached, choice);                                  // r_l = z - sum of earlier levels
            if (l + 1 < count) reached = reached.Plus(levels[l - 1].Decode(grids[l]));
        }
        foreach (var g in grids) g.MoveToOuterDisposeScope();
        return grids;
    }

    /// <summary>The decoder's input [B, D, h, w] for the code grids of the first n levels: level 1's prototypes plus each further level's contribution.</summary>
    public Tensor LevelsToLatents(IReadOnlyList<Tensor> grids)
    {
        RequireLevels(grids.Count);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var input = quantizer.Decode(grids[0]);
        for (int l = 1; l < grids.Count; l++) input = input.Plus(levels[l - 1].Decode(grids[l]));
        return input.MoveToOuterDisposeScope();
    }

    /// <summary>Code grids [B, h, w] to images [B, C, h*f, w*f] (unclamped).</summary>
    public Tensor DecodeCodes(Tensor codes)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return decoder.forward(quantizer.Decode(codes)).MoveToOuterDisposeScope();
    }

    /// <summary>The code grids of the first n levels (level 1 first) to images; one grid decodes as <see cref="DecodeCodes"/>.</summary>
    public Tensor DecodeLevels(IReadOnlyList<Tensor> grids)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return decoder.forward(LevelsToLatents(grids)).MoveToOuterDisposeScope();
    }

    /// <summary>The encoder's latents z_theta(x) [B, D, h, w], unquantized.</summary>
    public Tensor EncodeToLatents(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return encoder.forward(images).MoveToOuterDisposeScope();
    }

    /// <summary>The decoder applied to latents [B, D, h, w] (quantized or not).</summary>
    public Tensor DecodeLatents(Tensor latents)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return decoder.forward(latents).MoveToOuterDisposeScope();
    }

    private void RequireLevels(int count)
    {
        if (count < 1 || count > LevelCount)
            throw new InvalidOptionsException($"the network has {LevelCount} code level(s); {count} requested");
    }
}
