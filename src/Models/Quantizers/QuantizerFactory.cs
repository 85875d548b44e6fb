namespace VqVae.Codec.Models.Quantizers;

/// <summary>Builds the quantizer an options record names.</summary>
public static class QuantizerFactory
{
    /// <summary>A new quantizer with K prototypes of dimension D.</summary>
    public static Quantizer Create(int codebookSize, int latentDim, QuantizerOptions options) => options.Kind switch
    {
        QuantizerKind.KMeans => new KMeansQuantizer(codebookSize, latentDim, options),
        QuantizerKind.Ema => new EmaQuantizer(codebookSize, latentDim, options),
        QuantizerKind.NeuralGas => new NeuralGasQuantizer(codebookSize, latentDim, options),
        QuantizerKind.Fcm => new FcmQuantizer(codebookSize, latentDim, options),
        QuantizerKind.FcmMembership => new FcmMembershipQuantizer(codebookSize, latentDim, options),
        QuantizerKind.FcmNormalized => new FcmNormalizedQuantizer(codebookSize, latentDim, options),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Kind, "unknown quantizer"),
    };
}
