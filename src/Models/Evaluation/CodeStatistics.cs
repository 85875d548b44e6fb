using static TorchSharp.torch;

namespace VqVae.Codec.Models.Evaluation;

/// <summary>Code usage: counts per code, perplexity exp(H) of the usage distribution, fraction of codes used.</summary>
public sealed class CodeStatistics(int codebookSize)
{
    private readonly long[] counts = new long[codebookSize];

    /// <summary>Adds the codes of a batch (any shape, int64).</summary>
    public void Add(Tensor codes)
    {
        using var flat = codes.reshape(-1).cpu();
        using var c = bincount(flat, minlength: counts.Length);
        var data = c.data<long>().ToArray();
        for (int i = 0; i < counts.Length; i++) counts[i] += data[i];
    }

    /// <summary>Occurrences of each code.</summary>
    public IReadOnlyList<long> Counts => counts;

    /// <summary>exp of the entropy (nats) of the usage distribution: 1 when one code is used, K when all equally.</summary>
    public double Perplexity
    {
        get
        {
            double total = counts.Sum(), entropy = 0;
            if (total == 0) return 0;
            foreach (var c in counts)
                if (c > 0) entropy -= c / total * Math.Log(c / total);
            return Math.Exp(entropy);
        }
    }

    /// <summary>Entropy of the usage distribution in bits per code (the unigram prior's rate).</summary>
    public double EntropyBits => Math.Log2(Math.Max(Perplexity, 1));

    /// <summary>Fraction of the K codes used at least once.</summary>
    public double UsedFraction => counts.Count(c => c > 0) / (double)counts.Length;

    /// <summary>Perplexity of one batch of codes (the training-log figure).</summary>
    public static double BatchPerplexity(Tensor codes, int codebookSize)
    {
        var s = new CodeStatistics(codebookSize);
        s.Add(codes);
        return s.Perplexity;
    }
}
