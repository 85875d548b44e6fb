using VqVae.Codec.Models.Networks;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Priors;

/// <summary>The inputs of the level prior: the reconstruction so far before each further level.</summary>
public static class LevelReconstruction
{
    /// <summary>
    /// For code grids of levels 1..n ([B, H, W] each), the reconstructions R_1 .. R_{n-1} ([B, D, H, W]):
    /// entry i is w1[c1] + Σ_{2≤j≤i+1} Up_j e_j[c_j], the input of level i + 2's prior.
    /// </summary>
    public static Tensor[] Before(VqVaeNetwork network, IReadOnlyList<Tensor> grids)
    {
        if (grids.Count > network.LevelCount) throw new InvalidOptionsException($"{grids.Count} grids for a network of {network.LevelCount} levels");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var result = new Tensor[Math.Max(0, grids.Count - 1)];
        if (result.Length == 0) return result;
        var reached = network.Quantizer.Decode(grids[0]);
        for (int l = 2; l <= grids.Count; l++)
        {
            result[l - 2] = reached;
            if (l < grids.Count) reached = reached.Plus(network.FurtherLevels[l - 2].Decode(grids[l - 1]));
        }
        foreach (var r in result) r.MoveToOuterDisposeScope();
        return result;
    }
}
