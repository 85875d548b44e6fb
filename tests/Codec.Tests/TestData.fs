module VqVae.Codec.Codec.Tests.TestData

open System
open VqVae.Codec.Format

/// A small seeded generator whose sequence is fixed here, independent of System.Random's algorithm,
/// so golden inputs stay the same on every runtime (SplitMix64).
type SplitMix(seed: uint64) =
    let mutable state = seed

    member _.Next() =
        state <- state + 0x9E3779B97F4A7C15UL
        let mutable z = state
        z <- (z ^^^ (z >>> 30)) * 0xBF58476D1CE4E5B9UL
        z <- (z ^^^ (z >>> 27)) * 0x94D049BB133111EBUL
        z ^^^ (z >>> 31)

    /// Uniform in [0, n).
    member this.Below(n: int) = int (this.Next() % uint64 n)

    /// Uniform in [0, 1).
    member this.Unit() = float (this.Next() >>> 11) / float (1UL <<< 53)

/// Logit vectors that stress the rounding step: near-zero, one-hot, uniform, extremely skewed, huge.
let adversarialLogits (rng: Random) (k: int) : float32[] =
    match rng.Next 8 with
    | 0 -> Array.zeroCreate k
    | 1 -> Array.init k (fun i -> if i = rng.Next k then 1e30f else -1e30f)
    | 2 -> Array.init k (fun _ -> float32 (rng.NextDouble() * 2e38 - 1e38))
    | 3 -> Array.init k (fun i -> float32 (-i) * 50.0f)
    | 4 -> Array.init k (fun _ -> float32 (rng.NextDouble() * 1e-30))
    | 5 -> Array.init k (fun i -> if i % 2 = 0 then 3.4e38f else -3.4e38f)
    | 6 -> Array.init k (fun _ -> float32 (rng.NextDouble() * 40.0 - 20.0))
    | _ -> Array.init k (fun _ -> float32 (Math.Exp(rng.NextDouble() * 6.0)))

/// Probability vectors that stress the rounding step.
let adversarialProbabilities (rng: Random) (k: int) : float[] =
    match rng.Next 6 with
    | 0 -> Array.create k 1.0
    | 1 -> Array.init k (fun i -> if i = k - 1 then 1.0 else 0.0)
    | 2 -> Array.init k (fun _ -> rng.NextDouble() * 1e-300)
    | 3 -> Array.init k (fun i -> Math.Pow(0.5, float i))
    | 4 -> Array.init k (fun i -> if i = 0 then 1.0 - 1e-12 else 1e-12 / float k)
    | _ -> Array.init k (fun _ -> rng.NextDouble())

/// A version-1 header with the range coder: the fields every test file varies.
let vqzHeader width height colour downsampling tiling (tag: ModelsTag) =
    {
        Version = FormatVersions.V1_0
        Width = width
        Height = height
        Colour = colour
        Downsampling = downsampling
        Tiling = tiling
        Coding = CodingScheme.RangeCoder16
        ModelsTag = tag
    }
