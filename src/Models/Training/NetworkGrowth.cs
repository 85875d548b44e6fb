using VqVae.Codec.Models.Networks;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Training;

/// <summary>
/// Grows a trained network's residual stacks (more blocks, wider blocks) without changing what it computes,
/// so that a longer run can add capacity to a model instead of starting again (function-preserving growth
/// by zero-initialised outputs, cf. Net2Net, Chen et al. 2016). A residual block adds conv1x1(ReLU(conv3x3(ReLU(x)))) to x (thesis
/// chapter 6): a new block whose 1x1 convolution is zero adds nothing, and a block widened from c to c'
/// channels keeps its first c channels and gets new 3x3 filters whose outputs the 1x1 convolution reads
/// with zero weights. Everything else is copied as it is; training then moves the new weights away from zero.
/// </summary>
public static class NetworkGrowth
{
    /// <summary>The architecture of <paramref name="source"/> with wider or more residual blocks (never fewer or narrower).</summary>
    public static VqVaeArchitecture Grown(VqVaeArchitecture source, int? residualChannels, int? residualBlocks)
    {
        var grown = source with
        {
            ResidualChannels = residualChannels ?? source.ResidualChannels,
            ResidualBlocks = residualBlocks ?? source.ResidualBlocks,
        };
        if (grown.ResidualChannels < source.ResidualChannels || grown.ResidualBlocks < source.ResidualBlocks)
            throw new InvalidOptionsException(
                $"a network grows only: the model has {source.ResidualBlocks} residual blocks of {source.ResidualChannels} channels, " +
                $"{grown.ResidualBlocks} of {grown.ResidualChannels} requested");
        return grown.Validate();
    }

    /// <summary>
    /// Copies <paramref name="source"/>'s weights into <paramref name="target"/>, a network of the same architecture
    /// or of <see cref="Grown"/> of it: tensors of the same shape are copied, a larger one gets the source in its
    /// leading slice, and every 1x1 residual convolution is zero where the source has no weight.
    /// </summary>
    public static void CopyInto(VqVaeNetwork source, VqVaeNetwork target)
    {
        var (a, b) = (source.Architecture, target.Architecture);
        bool levelsMatch = (a.Levels ?? []).SequenceEqual(b.Levels ?? []);
        if (!levelsMatch || a with { ResidualChannels = b.ResidualChannels, ResidualBlocks = b.ResidualBlocks, Levels = b.Levels } != b
            || b.ResidualChannels < a.ResidualChannels || b.ResidualBlocks < a.ResidualBlocks)
            throw new InvalidOptionsException("a network grows only in its residual blocks (more, or wider): every other part of the architecture must be the source's");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var from = source.state_dict();
        foreach (var (name, tensor) in target.state_dict())
        {
            bool readsNewChannels = IsResidualOutput(name);
            if (!from.TryGetValue(name, out var value))
            {
                if (readsNewChannels) tensor.zero_();                                       // a new block: the identity
                continue;
            }
            if (value.shape.SequenceEqual(tensor.shape))
            {
                tensor.copy_(value);
                continue;
            }
            if (value.shape.Length != tensor.shape.Length || value.shape.Zip(tensor.shape).Any(d => d.First > d.Second))
                throw new InvalidOptionsException($"{name}: a tensor of shape [{string.Join(", ", value.shape)}] does not fit in [{string.Join(", ", tensor.shape)}]");
            if (readsNewChannels) tensor.zero_();                                           // new channels are read with weight 0
            var slice = tensor;
            for (int d = 0; d < value.shape.Length; d++) slice = slice.narrow(d, 0, value.shape[d]);
            slice.copy_(value);
        }
    }

    /// <summary>The 1x1 convolution that closes a residual block (ResidualStack's conv1).</summary>
    private static bool IsResidualOutput(string name) => name.Contains("residual.conv1.", StringComparison.Ordinal) && name.EndsWith(".weight", StringComparison.Ordinal);
}
