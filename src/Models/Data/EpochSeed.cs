namespace VqVae.Codec.Models.Data;

/// <summary>
/// The seed of one epoch's shuffle, the same in every process and on every machine. (<see cref="HashCode"/> is
/// randomised per process, so it must never feed a seed: a run resumed in a new process would see another order.)
/// </summary>
public static class EpochSeed
{
    /// <summary>SplitMix64 over (run seed, epoch, stream), folded to the int that <see cref="Random(int)"/> takes.</summary>
    public static int Of(int seed, int epoch, uint stream)
    {
        ulong x = ((ulong)(uint)seed << 32 | (uint)epoch) ^ ((ulong)stream * 0x9E3779B97F4A7C15UL);
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return (int)(x ^ (x >> 32));
    }
}
