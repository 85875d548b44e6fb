namespace VqVae.Codec.Models.Priors;

/// <summary>Builds the prior an architecture names.</summary>
public static class PriorFactory
{
    /// <summary>A freshly initialised prior; the unigram starts uniform until counted.</summary>
    public static Prior Create(PriorArchitecture a, long[]? unigramCounts = null) => a.Validate().Kind switch
    {
        PriorKind.Uniform => new StaticPrior(a),
        PriorKind.Unigram => new StaticPrior(a, unigramCounts ?? new long[a.CodebookSize]),
        PriorKind.Made => new MadePrior(a),
        PriorKind.PixelCnn => new PixelCnnPrior(a),
        PriorKind.GatedPixelCnn => new GatedPixelCnnPrior(a),
        _ => throw new ArgumentOutOfRangeException(nameof(a), a.Kind, "unknown prior"),
    };
}
