namespace VqVae.Codec.Models.Quantizers;

/// <summary>The quantizers of the thesis and the EMA baseline, by their command-line names.</summary>
public enum QuantizerKind
{
    /// <summary>Vanilla VQ-VAE: the k-means posterior, a one-hot on the nearest prototype (section 5.1.1, eq. 5.5).</summary>
    KMeans,
    /// <summary>k-means whose prototypes follow exponential moving averages of their assigned latents (VQ-VAE-2).</summary>
    Ema,
    /// <summary>Neural gas: posterior h_lambda(rank) / D (section 4.2, eq. 4.3).</summary>
    NeuralGas,
    /// <summary>Plain fuzzy c-means: weights w_z(x)^m, not a posterior (eq. 4.5 / 5.6).</summary>
    Fcm,
    /// <summary>Fuzzy c-means memberships as the posterior (eq. 4.6, loss 5.7).</summary>
    FcmMembership,
    /// <summary>Normalised fuzzy c-means posterior w_z(x)^m / D_w(x) (eq. 4.7).</summary>
    FcmNormalized,
}

/// <summary>How fuzzy c-means measures the ratio in its membership (eq. 4.4).</summary>
public enum FcmDistance
{
    /// <summary>Eq. 4.4 as the thesis writes it: d is the squared distance, raised to 2/(m-1).</summary>
    Squared,
    /// <summary>Bezdek's standard FCM: the Euclidean distance raised to 2/(m-1), i.e. d^(1/(m-1)).</summary>
    Euclidean,
}

/// <summary>
/// Options of a quantizer and of its part of the generalised loss (eq. 5.4). Every default is in this
/// record; the command line only overrides them.
/// </summary>
public sealed record QuantizerOptions
{
    /// <summary>Which posterior q(z|x) the quantizer uses.</summary>
    public QuantizerKind Kind { get; init; } = QuantizerKind.NeuralGas;

    /// <summary>alpha: weight of the commitment loss (eq. 5.2). The thesis's neural-gas setting is 0.15.</summary>
    public double Alpha { get; init; } = 0.15;

    /// <summary>eta: weight of the VQ loss (eq. 5.3). 1 in every thesis experiment.</summary>
    public double Eta { get; init; } = 1.0;

    /// <summary>Neural gas neighbourhood range lambda at the start of training.</summary>
    public double LambdaStart { get; init; } = 3.0;

    /// <summary>
    /// lambda at the end of training; annealed geometrically, lambda(t) = start (end/start)^(t/T), the classic
    /// neural-gas schedule (Martinetz et al. 1993). Equal to <see cref="LambdaStart"/> holds it fixed.
    /// </summary>
    public double LambdaEnd { get; init; } = 3.0;

    /// <summary>Fuzzifier m &gt; 1 of fuzzy c-means (eq. 4.4).</summary>
    public double Fuzzifier { get; init; } = 2.0;

    /// <summary>Which distance enters the FCM membership ratio; see <see cref="Quantizers.FcmDistance"/>.</summary>
    public FcmDistance FcmDistance { get; init; } = FcmDistance.Squared;

    /// <summary>
    /// Whether gradients flow through the posterior as eq. 5.2 and 5.3 write it (q_sg(w)(z | z_theta(x)) and
    /// q_w(z | x)). Only the FCM posteriors are differentiable; false treats them as fixed weights, as the
    /// alternating FCM algorithm does.
    /// </summary>
    public bool PosteriorGradient { get; init; } = true;

    /// <summary>
    /// M of section 5.1.3: when &gt; 0, the decoder reads the empirical mean of M prototypes sampled from the
    /// posterior instead of the nearest prototype (training only; coding always uses the nearest).
    /// </summary>
    public int StochasticSamples { get; init; }

    /// <summary>Decay of the EMA codebook statistics (0.99 as in VQ-VAE-2).</summary>
    public double EmaDecay { get; init; } = 0.99;

    /// <summary>Initialise the prototypes from encoder outputs of the first training batch.</summary>
    public bool InitFromEncoder { get; init; } = true;

    /// <summary>
    /// A code unused for this many training steps is re-seeded from a batch latent; 0 turns restarts off.
    /// 30: in the first few dozen steps the encoder's latents grow far beyond the codebook and all but a
    /// handful of codes fall idle (measured: latent RMS 0.05 to 26 in 30 steps); restarting them then
    /// brings perplexity from about 3 to about 270 (docs/training-notes.md).
    /// </summary>
    public int DeadCodeSteps { get; init; } = 30;

    /// <summary>
    /// lambda of entropy-constrained assignment in training (<see cref="RateConstraint"/>): a bit is worth lambda
    /// times the mean nearest-prototype distance. 0, the thesis's nearest prototype, writes nothing to a model file.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public double RateLambda { get; init; }

    /// <summary>Throws when a field is out of range.</summary>
    public QuantizerOptions Validate()
    {
        if (Alpha < 0 || Eta < 0) throw new InvalidOptionsException("alpha and eta must be >= 0");
        if (LambdaStart <= 0 || LambdaEnd <= 0) throw new InvalidOptionsException("lambda must be > 0");
        if (Fuzzifier <= 1) throw new InvalidOptionsException("the fuzzifier m must be > 1");
        if (StochasticSamples is < 0 or > 64) throw new InvalidOptionsException("--stochastic must be in 0..64");
        if (EmaDecay is <= 0 or >= 1) throw new InvalidOptionsException("the EMA decay must be in (0, 1)");
        if (DeadCodeSteps < 0) throw new InvalidOptionsException("dead-code steps must be >= 0");
        if (!CodeChoice.IsValidRateLambda(RateLambda)) throw new InvalidOptionsException($"the training rate weight: {CodeChoice.RateLambdaRange}");
        return this;
    }

    /// <summary>The command-line name of a quantizer kind.</summary>
    public static string NameOf(QuantizerKind kind) => kind switch
    {
        QuantizerKind.KMeans => "kmeans",
        QuantizerKind.Ema => "ema",
        QuantizerKind.NeuralGas => "neural-gas",
        QuantizerKind.Fcm => "fcm",
        QuantizerKind.FcmMembership => "fcm-membership",
        QuantizerKind.FcmNormalized => "fcm-normalized",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Parses a command-line quantizer name.</summary>
    public static QuantizerKind Parse(string name) =>
        Enum.GetValues<QuantizerKind>().FirstOrDefault(k => NameOf(k) == name, (QuantizerKind)(-1)) is var k && (int)k >= 0
            ? k
            : throw new InvalidOptionsException($"unknown quantizer '{name}'; expected one of {string.Join(", ", Enum.GetValues<QuantizerKind>().Select(NameOf))}");
}
