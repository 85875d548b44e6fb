namespace VqVae.Codec.Models.Priors;

/// <summary>The priors over code grids (Stage 2, thesis sections 3.1 to 3.3 and 5.3), by command-line name.</summary>
public enum PriorKind
{
    /// <summary>Every code equally likely: log2 K bits per code.</summary>
    Uniform,
    /// <summary>One histogram of the K codes, independent of context.</summary>
    Unigram,
    /// <summary>MADE over the flattened grid in raster order (section 3.2); fixed grid size.</summary>
    Made,
    /// <summary>The masked PixelCNN of section 3.3: a type A first layer (eq. 3.4), type B after (eq. 3.5).</summary>
    PixelCnn,
    /// <summary>Gated PixelCNN with vertical and horizontal stacks (van den Oord et al. 2016, ref. [28]): no blind spot.</summary>
    GatedPixelCnn,
}

/// <summary>The architecture of a prior, stored as JSON in its model file. Defaults in one place.</summary>
public sealed record PriorArchitecture
{
    /// <summary>Which prior.</summary>
    public PriorKind Kind { get; init; } = PriorKind.GatedPixelCnn;

    /// <summary>K: the code alphabet (must equal the VQ-VAE's codebook size).</summary>
    public int CodebookSize { get; init; } = 512;

    /// <summary>Channels of the code embedding and of every hidden layer (PixelCNN, gated PixelCNN).</summary>
    public int Channels { get; init; } = 64;

    /// <summary>Layers after the first: type B masked convolutions, or gated layers.</summary>
    public int Layers { get; init; } = 6;

    /// <summary>Kernel side of the layers after the first (odd).</summary>
    public int KernelSize { get; init; } = 3;

    /// <summary>Kernel side of the PixelCNN's type A first layer (odd; 7 as in PixelCNN).</summary>
    public int FirstKernelSize { get; init; } = 7;

    /// <summary>Channels of the output head's hidden 1x1 convolution.</summary>
    public int HeadChannels { get; init; } = 128;

    /// <summary>MADE: hidden units per layer.</summary>
    public int MadeHidden { get; init; } = 1024;

    /// <summary>MADE: hidden layers.</summary>
    public int MadeLayers { get; init; } = 2;

    /// <summary>MADE: grid height and width it models (MADE is not convolutional).</summary>
    public int GridHeight { get; init; } = 8;

    /// <summary>MADE: grid width.</summary>
    public int GridWidth { get; init; } = 8;

    /// <summary>Throws when a field is out of range.</summary>
    public PriorArchitecture Validate()
    {
        if (CodebookSize is < 2 or > 65536) throw new InvalidOptionsException("codebookSize must be in 2..65536");
        if (Channels is < 1 or > 4096 || HeadChannels is < 1 or > 8192) throw new InvalidOptionsException("channels out of range");
        if (Layers is < 0 or > 64) throw new InvalidOptionsException("layers must be in 0..64");
        if (KernelSize < 1 || KernelSize % 2 == 0 || FirstKernelSize < 3 || FirstKernelSize % 2 == 0)
            throw new InvalidOptionsException("kernel sizes must be odd (first >= 3)");
        if (GridHeight < 1 || GridWidth < 1 || GridHeight * GridWidth > 4096) throw new InvalidOptionsException("MADE grid out of range");
        if (MadeHidden < 1 || MadeLayers < 1) throw new InvalidOptionsException("MADE hidden size out of range");
        return this;
    }

    /// <summary>The command-line name of a prior kind.</summary>
    public static string NameOf(PriorKind kind) => kind switch
    {
        PriorKind.Uniform => "uniform",
        PriorKind.Unigram => "unigram",
        PriorKind.Made => "made",
        PriorKind.PixelCnn => "pixelcnn",
        PriorKind.GatedPixelCnn => "gated-pixelcnn",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Parses a command-line prior name.</summary>
    public static PriorKind Parse(string name) =>
        Enum.GetValues<PriorKind>().Where(k => NameOf(k) == name).Select(k => (PriorKind?)k).FirstOrDefault()
        ?? throw new InvalidOptionsException($"unknown prior '{name}'; expected one of {string.Join(", ", Enum.GetValues<PriorKind>().Select(NameOf))}");
}
