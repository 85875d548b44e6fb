using VqVae.Codec.Models.Data;
using VqVae.Codec.Models.Networks;
using VqVae.Codec.Models.Quantizers;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Training;

/// <summary>How further code levels are fitted on a frozen network (no back-propagation).</summary>
public enum LevelFitMethod
{
    /// <summary>Batch k-means (Lloyd's iterations) on the projected residuals.</summary>
    KMeans,
    /// <summary>Batch neural gas (Cottrell et al. 2006): prototypes are h_lambda(rank)-weighted means (eq. 4.3), lambda annealed to 0 (k-means).</summary>
    NeuralGas,
}

/// <summary>Options of <see cref="ResidualLevelFit"/>; every default is here.</summary>
public sealed record LevelFitOptions
{
    /// <summary>Further levels to add after the network's existing ones.</summary>
    public int Levels { get; init; } = 3;

    /// <summary>d of every added level: the number of principal directions of the residual its codebook lives in.</summary>
    public int Dim { get; init; } = 8;

    /// <summary>K of every added level.</summary>
    public int CodebookSize { get; init; } = 512;

    /// <summary>How the codebooks are fitted.</summary>
    public LevelFitMethod Method { get; init; } = LevelFitMethod.KMeans;

    /// <summary>Iterations of the batch algorithm per level.</summary>
    public int Iterations { get; init; } = 20;

    /// <summary>Latent vectors sampled from random crops of the data to fit on.</summary>
    public int Samples { get; init; } = 262_144;

    /// <summary>Side of the random crops the latents are taken from.</summary>
    public int CropSize { get; init; } = 128;

    /// <summary>Neural gas: lambda of the first iteration (then geometric to <see cref="LambdaEnd"/>).</summary>
    public double LambdaStart { get; init; } = 10;

    /// <summary>Neural gas: lambda of the last iteration (0.01: effectively k-means).</summary>
    public double LambdaEnd { get; init; } = 0.01;

    /// <summary>Seed of the crops and of the codebook initialisation.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Throws when a field is out of range.</summary>
    public LevelFitOptions Validate()
    {
        if (Levels is < 1 or >= VqVaeArchitecture.MaxLevels) throw new InvalidOptionsException($"--levels must be in 1..{VqVaeArchitecture.MaxLevels - 1}");
        if (Iterations < 1) throw new InvalidOptionsException("--iterations must be >= 1");
        if (Samples < CodebookSize) throw new InvalidOptionsException("--samples must be at least the codebook size");
        if (LambdaStart <= 0 || LambdaEnd <= 0) throw new InvalidOptionsException("lambda must be > 0");
        return this;
    }
}

/// <summary>
/// Adds code levels to a trained network without back-propagation (issue 11, gate b): for each new level,
/// the residual r = z - (what the earlier levels reach) of latents of the training data is projected on
/// its d principal directions (the uncentred second moment's top eigenvectors: down = V^T, up = V), and a
/// codebook is fitted there by batch k-means or batch neural gas. The result is a network whose levels can
/// be trained further (quantizer dropout) or measured as they are.
/// </summary>
public static class ResidualLevelFit
{
    private const int Chunk = 16_384;

    /// <summary>A new network: <paramref name="source"/>'s weights and levels plus <see cref="LevelFitOptions.Levels"/> fitted ones.</summary>
    public static VqVaeNetwork AddLevels(VqVaeNetwork source, ImageDataset data, LevelFitOptions options, IProgress<string>? progress = null,
        CancellationToken cancel = default)
    {
        options.Validate();
        var a = source.Architecture;
        var added = Enumerable.Repeat(new ResidualLevelArchitecture { Dim = options.Dim, CodebookSize = options.CodebookSize }, options.Levels);
        var architecture = a with { Levels = [.. a.Levels ?? [], .. added] };
        var quantizers = source.FurtherLevels.Select(l => l.Quantizer.Options).Concat(Enumerable.Repeat(source.Quantizer.Options, options.Levels)).ToList();
        var network = new VqVaeNetwork(architecture, source.Quantizer.Options, quantizers);
        using (no_grad())
        {
            var weights = source.state_dict();
            foreach (var (name, tensor) in network.state_dict())
                if (weights.TryGetValue(name, out var value)) tensor.copy_(value);
        }
        network.eval();
        source.eval();
        manual_seed(options.Seed);

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var z = SampleLatents(source, data, options, cancel);                                  // [N, D]
        progress?.Report($"sampled {z.shape[0]} latents of {z.shape[1]} dimensions in {clock.Elapsed.TotalSeconds:F0} s");
        var residual = z - Reached(network, z, source.LevelCount);
        for (int l = source.LevelCount; l < network.LevelCount; l++)
        {
            cancel.ThrowIfCancellationRequested();
            var v = PrincipalDirections(residual, options.Dim);                                  // [D, d]
            var projected = residual.matmul(v);                                                 // [N, d]
            var prototypes = options.Method == LevelFitMethod.KMeans
                ? KMeans(projected, options.CodebookSize, options.Iterations, null)
                : NeuralGas(projected, options, cancel);
            var level = network.FurtherLevels[l - 1];
            level.Assign(v.t(), v, prototypes);
            var codes = Nearest(projected, prototypes);
            residual = residual - prototypes.index_select(0, codes).matmul(v.t());
            progress?.Report($"level {l + 1}: residual RMS {residual.Squared().mean().sqrt().item<float>():F4} (d {options.Dim}, {options.Method})");
        }
        return network;
    }

    /// <summary>Latent vectors [N, D] of random crops of the data (the encoder's output, unquantized).</summary>
    private static Tensor SampleLatents(VqVaeNetwork network, ImageDataset data, LevelFitOptions options, CancellationToken cancel)
    {
        int side = Math.Min(options.CropSize, data.Images.Min(i => Math.Min(i.Width, i.Height)));
        side -= side % network.Architecture.Downsampling;
        var sampler = new BatchSampler(data, 16, side, options.Seed);
        var rows = new List<Tensor>();
        long count = 0;
        for (int epoch = 0; count < options.Samples; epoch++)
            foreach (var batch in sampler.Epoch(epoch))
            {
                cancel.ThrowIfCancellationRequested();
                using var inner = NewDisposeScope();
                var latents = network.EncodeToLatents(ImageTensors.ToTensor(batch));
                var flat = Codebook.Flatten(latents).contiguous();
                rows.Add(flat.MoveToOuterDisposeScope());
                count += flat.shape[0];
                if (count >= options.Samples) break;
            }
        var all = cat(rows.ToArray(), 0);
        return all[randperm(all.shape[0])[..options.Samples]];
    }

    /// <summary>What the network's first <paramref name="levels"/> levels reach for latents [N, D], as rows.</summary>
    private static Tensor Reached(VqVaeNetwork network, Tensor z, int levels)
    {
        var grid = z.t().reshape(1, z.shape[1], 1, z.shape[0]).contiguous();                  // the rows as a 1 x N latent grid
        return Codebook.Flatten(network.LevelsToLatents(network.LatentsToLevels(grid, levels)));
    }

    /// <summary>The top-d eigenvectors [D, d] of the residuals' uncentred second moment.</summary>
    private static Tensor PrincipalDirections(Tensor residual, int d)
    {
        var moment = residual.t().matmul(residual).DividedBy(residual.shape[0]);
        var (_, vectors) = linalg.eigh(moment.to_type(ScalarType.Float64));                    // ascending eigenvalues
        return vectors.flip(1)[.., ..d].to_type(ScalarType.Float32).contiguous();
    }

    /// <summary>Index of the nearest prototype of every row, in chunks.</summary>
    private static Tensor Nearest(Tensor x, Tensor w)
    {
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        for (long s = 0; s < x.shape[0]; s += Chunk)
        {
            using var inner = NewDisposeScope();                                                   // the [Chunk, K] distances go at once
            parts.Add(Codebook.SquaredDistances(x.narrow(0, s, Math.Min(Chunk, x.shape[0] - s)), w).argmin(1).MoveToOuterDisposeScope());
        }
        return cat(parts.ToArray(), 0).MoveToOuterDisposeScope();
    }

    /// <summary>Lloyd's iterations from random rows (or <paramref name="start"/>); an empty cluster is re-seeded with a random row.</summary>
    private static Tensor KMeans(Tensor x, int k, int iterations, Tensor? start)
    {
        var w = start ?? x[randperm(x.shape[0])[..k]].clone();
        for (int it = 0; it < iterations; it++)
        {
            using var scope = NewDisposeScope();
            var codes = Nearest(x, w);
            var sums = zeros(k, x.shape[1]).IndexAdd_(0, codes, x, 1);
            var counts = bincount(codes, minlength: k).to_type(ScalarType.Float32);
            var empty = counts.EqualTo(0);
            w = where(empty.unsqueeze(1), x[randint(0, x.shape[0], k)], sums / counts.ClampMin(1).unsqueeze(1)).MoveToOuterDisposeScope();
        }
        return w;
    }

    /// <summary>
    /// Batch neural gas: w_k = sum_x h_lambda(r(x, k)) x / sum_x h_lambda(r(x, k)) with r the rank of w_k
    /// among all prototypes by distance to x (eq. 4.3), lambda geometric from start to end; two Lloyd
    /// iterations at the end (lambda -> 0).
    /// </summary>
    private static Tensor NeuralGas(Tensor x, LevelFitOptions o, CancellationToken cancel)
    {
        int k = o.CodebookSize;
        var w = x[randperm(x.shape[0])[..k]].clone();
        for (int it = 0; it < o.Iterations; it++)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            double lambda = o.LambdaStart * Math.Pow(o.LambdaEnd / o.LambdaStart, it / Math.Max(1.0, o.Iterations - 1));
            int ranked = NeuralGasQuantizer.RankedCodes(k, Math.Max(lambda, 1.0 / NeuralGasQuantizer.RankedRangeInLambdas));
            var h = exp((-ScalarLifetimes.Arange(ranked, ScalarType.Float32)).DividedBy(lambda));     // h_lambda(r), eq. 4.3
            var sums = zeros(k, x.shape[1]);
            var weights = zeros(k);
            for (long s = 0; s < x.shape[0]; s += Chunk)
            {
                using var inner = NewDisposeScope();
                var rows = x.narrow(0, s, Math.Min(Chunk, x.shape[0] - s));
                var (_, nearest) = Codebook.SquaredDistances(rows, w).topk(ranked, dim: 1, largest: false, sorted: true);
                var hk = zeros(rows.shape[0], k).scatter_(1, nearest, h.expand(rows.shape[0], ranked));   // h_lambda(r(x, k)) [n, K]
                weights.Add_(hk.sum(0));
                sums.Add_(hk.t().matmul(rows));
            }
            var empty = weights.LessThan(1e-12);
            w = where(empty.unsqueeze(1), x[randint(0, x.shape[0], k)], sums / weights.ClampMin(1e-12).unsqueeze(1)).MoveToOuterDisposeScope();
        }
        return KMeans(x, k, 2, w);
    }
}
