using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Quantizers;

/// <summary>
/// A vector quantizer with codebook w = {w_0 .. w_{K-1}} whose posterior q_w(z | x) plugs into the
/// generalised VQ-VAE loss (eq. 5.4). Subclasses define only the posterior (and, for plain FCM, loss
/// weights that are not a posterior); the loss, the straight-through estimator, stochastic decoding,
/// codebook initialisation and dead-code restarts live here, once.
/// </summary>
public abstract class Quantizer : nn.Module
{
    private readonly Parameter prototypes;
    private readonly Tensor initialized;
    private readonly Tensor stepsSinceUsed;
    private readonly RateConstraint? rate;

    /// <summary>The options this quantizer was built with.</summary>
    public QuantizerOptions Options { get; }

    /// <summary>K, the number of prototypes.</summary>
    public int CodebookSize { get; }

    /// <summary>D, the dimension of a prototype.</summary>
    public int LatentDim { get; }

    /// <summary>Creates K prototypes of dimension D, uniformly in [-1/K, 1/K] as the reference implementation.</summary>
    protected Quantizer(string name, int codebookSize, int latentDim, QuantizerOptions options, bool learnedByGradient = true)
        : base(name)
    {
        Options = options.Validate();
        CodebookSize = codebookSize;
        LatentDim = latentDim;
        prototypes = new Parameter(empty(codebookSize, latentDim).uniform_(-1.0 / codebookSize, 1.0 / codebookSize), learnedByGradient);
        initialized = zeros(1, ScalarType.Int64);
        stepsSinceUsed = zeros(codebookSize, ScalarType.Int64);
        register_parameter("prototypes", prototypes);
        register_buffer("initialized", initialized);
        register_buffer("steps_since_used", stepsSinceUsed);
        if (Options.RateLambda > 0)
        {
            rate = new RateConstraint(codebookSize, Options.RateLambda, Options.EmaDecay);
            register_module("rate", rate);
        }
    }

    /// <summary>The entropy constraint on assignments, when <see cref="QuantizerOptions.RateLambda"/> &gt; 0.</summary>
    public RateConstraint? Rate => rate;

    /// <summary>The codebook w [K, D].</summary>
    public Tensor Prototypes => prototypes;

    /// <summary>
    /// The posterior q_w(z | x) [N, K] from squared distances d [N, K] at training progress t in [0, 1].
    /// Rows sum to 1. Differentiable where the posterior is (FCM); gradient-free otherwise.
    /// </summary>
    public abstract Tensor Posterior(Tensor distances, double progress);

    /// <summary>Whether <see cref="Posterior"/> carries gradient (only the fuzzy c-means family does).</summary>
    protected virtual bool PosteriorIsDifferentiable => false;

    /// <summary>
    /// The weights of the expectation in eq. 5.2 and 5.3. The posterior for every quantizer except plain
    /// fuzzy c-means, whose objective (eq. 5.6) weights distances by w_z(x)^m.
    /// </summary>
    public virtual Tensor LossWeights(Tensor distances, double progress) => Posterior(distances, progress);

    /// <summary>gamma(x): the index of the nearest prototype of every latent, [B, H, W].</summary>
    public Tensor Encode(Tensor latents) => Encode(latents, CodeChoice.Nearest);

    /// <summary>The code of every latent [B, H, W] as <paramref name="choice"/> picks it (the nearest prototype, or entropy-constrained per image).</summary>
    public Tensor Encode(Tensor latents, CodeChoice choice)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var d = Codebook.SquaredDistances(Codebook.Flatten(latents), prototypes);
        var shape = latents.shape;
        var penalty = rate?.Penalty(d, training: false);                                              // assign as training did
        var codes = choice.Choose(d.reshape(shape[0], shape[2] * shape[3], CodebookSize), penalty);    // per image: [B, H*W, K]
        return codes.reshape(shape[0], shape[2], shape[3]).MoveToOuterDisposeScope();
    }

    /// <summary>beta for code indices: the prototypes [B, D, H, W] that the decoder reads.</summary>
    public Tensor Decode(Tensor indices) => Codebook.Lookup(prototypes, indices);

    /// <summary>Quantizes latents [B, D, H, W]; in training mode also maintains the codebook.</summary>
    public QuantizerOutput Forward(Tensor latents, double progress)
    {
        using var scope = NewDisposeScope();
        var z = Codebook.Flatten(latents);
        if (training && Options.InitFromEncoder && initialized.item<long>() == 0) InitialiseFrom(z);

        // Eq. 5.2: the commitment loss, sg on the prototypes (also inside the posterior).
        var dCommit = Codebook.SquaredDistances(z, prototypes.detach());
        var d = dCommit.detach();
        // Assignment: by distance, or with the rate constraint by distance plus lambda dbar l_k (ECVQ).
        var penalty = rate?.Penalty(d, training);
        var dAssign = penalty is null ? d : d.Plus(penalty);
        var indices = dAssign.argmin(1);
        Tensor weightsCommit, weightsVq, distancesVq;
        distancesVq = Codebook.SquaredDistances(z.detach(), prototypes);
        if (PosteriorIsDifferentiable && Options.PosteriorGradient)
        {
            weightsCommit = LossWeights(penalty is null ? dCommit : dCommit.Plus(penalty), progress);
            // Eq. 5.3: the VQ loss, sg on the encoder (also inside the posterior).
            weightsVq = LossWeights(penalty is null ? distancesVq : distancesVq.Plus(penalty), progress);
        }
        else
        {
            weightsCommit = weightsVq = LossWeights(dAssign, progress).detach();
        }
        if (training && rate is not null) rate.Observe(d, indices);
        var commitment = (weightsCommit * dCommit).sum(1).mean().DividedBy(LatentDim);
        var vqLoss = VqLossFrom(weightsVq, distancesVq);

        var posterior = Posterior(dAssign, progress).detach();
        var selected = Options.StochasticSamples > 0 && training
            ? SampledExpectation(posterior, Options.StochasticSamples)
            : prototypes.index_select(0, indices);
        // Straight-through estimator (section 5.1): the decoder reads the prototypes, the encoder gets its gradient.
        var quantized = z.Plus((selected - z).detach());

        var shape = latents.shape;
        var output = new QuantizerOutput(
            Codebook.Unflatten(quantized, shape), indices.reshape(shape[0], shape[2], shape[3]), posterior, commitment, vqLoss)
        {
            Latents = z.detach(),
            LatentRms = z.detach().Squared().mean().sqrt().item<float>(),
            CodebookRms = prototypes.detach().Squared().mean().sqrt().item<float>(),
        };
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Codebook maintenance after the optimiser step (never inside the forward pass, whose graph holds the
    /// prototypes): EMA updates and dead-code restarts. Returns the number of codes re-seeded.
    /// </summary>
    public int AfterOptimizerStep(QuantizerOutput output)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var indices = output.Indices.reshape(-1);
        AfterTrainingStep(output.Latents, indices);
        return RestartDeadCodes(output.Latents, indices);
    }

    /// <summary>
    /// Codes not nearest to any latent of the last <paramref name="steps"/> training steps (a code re-seeded by a
    /// restart counts as used when it was re-seeded). From the <c>steps_since_used</c> buffer, so it survives resume.
    /// </summary>
    public int IdleCodes(int steps)
    {
        using var idle = stepsSinceUsed.AtLeast(steps);
        using var count = idle.sum();
        return (int)count.item<long>();
    }

    /// <summary>Eq. 5.3 without eta; the EMA quantizer learns its codebook without it.</summary>
    protected virtual Tensor VqLossFrom(Tensor weights, Tensor distances) => (weights * distances).sum(1).mean().DividedBy(LatentDim);

    /// <summary>Hook for codebook updates that are not gradient steps (EMA).</summary>
    protected virtual void AfterTrainingStep(Tensor z, Tensor indices) { }

    /// <summary>Hook called after prototypes were overwritten (initialisation, restarts), for quantizers with statistics.</summary>
    protected virtual void OnPrototypesReseeded(Tensor codes) { }

    /// <summary>Section 5.1.3: the mean of M prototypes sampled from the posterior, per latent: [N, D].</summary>
    private Tensor SampledExpectation(Tensor posterior, int m)
    {
        var samples = multinomial(posterior, m, replacement: true);               // [N, M]
        var picked = prototypes.index_select(0, samples.reshape(-1));             // [N*M, D]
        return picked.reshape(samples.shape[0], m, LatentDim).mean([1]);
    }

    /// <summary>Overwrites the codebook (prototypes fitted outside training, e.g. by batch k-means) and marks it initialised.</summary>
    public void AssignPrototypes(Tensor w)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        prototypes.copy_(w);
        initialized.Fill_(1);
        stepsSinceUsed.zero_();
        OnPrototypesReseeded(ScalarLifetimes.Arange(CodebookSize));
    }

    private void InitialiseFrom(Tensor z)
    {
        using var _ = no_grad();
        long n = z.shape[0];
        var rows = n >= CodebookSize ? randperm(n).slice(0, 0, CodebookSize, 1) : randint(0, n, CodebookSize);
        prototypes.copy_(z.detach().index_select(0, rows));
        initialized.Fill_(1);
        OnPrototypesReseeded(ScalarLifetimes.Arange(CodebookSize));
    }

    private int RestartDeadCodes(Tensor z, Tensor indices)
    {
        var used = bincount(indices, minlength: CodebookSize).GreaterThan(0);
        stepsSinceUsed.Add_(1).MaskedFill_(used, 0);
        if (Options.DeadCodeSteps == 0) return 0;
        var dead = stepsSinceUsed.AtLeast(Options.DeadCodeSteps).nonzero().reshape(-1);
        int count = (int)dead.shape[0];
        if (count == 0) return 0;
        var rows = randint(0, z.shape[0], count);
        prototypes.index_copy_(0, dead, z.index_select(0, rows));
        stepsSinceUsed.IndexFill_(0, dead, 0);
        OnPrototypesReseeded(dead);
        return count;
    }
}
