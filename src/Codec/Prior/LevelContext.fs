namespace VqVae.Codec.Prior

open System
open TorchSharp
open VqVae.Codec.Models.Networks

/// What the decoder's input and the level prior's input are made of (spec/prior.md §6.2): level 1's
/// prototypes and each further level's contribution table T_j[c] = Up_j e_j[c], all D-vectors in binary32.
type LevelTables =
    {
        /// D.
        LatentDim: int
        /// K of levels 1 .. L.
        Codes: int[]
        /// w1: level 1's prototypes, K_1 x D row-major.
        Level1: float32[]
        /// T_j for j = 2 .. L (index j - 2): K_j x D row-major.
        Contributions: float32[][]
    }

    /// L: the levels of the VQ-VAE.
    member this.Levels = this.Codes.Length

/// The reconstruction so far, computed with the evaluator's arithmetic (spec/prior.md §6.2).
[<RequireQualifiedAccess>]
module LevelContext =
    /// The tables from level 1's prototypes [K_1, D], and for each further level j its prototypes
    /// e_j [K_j, d_j] and its projection up [D, d_j, 1, 1] (stored layout): T_j[c][o] = Σ_k e_j[c, k] up[o, k],
    /// summed from +0 over k in increasing order (a dense layer with zero bias).
    let create (latentDim: int) (level1: float32[]) (prototypes: float32[][]) (ups: float32[][]) : LevelTables =
        if latentDim < 1 || level1.Length = 0 || level1.Length % latentDim <> 0 then
            invalidArg (nameof level1) $"level 1's prototypes are not K x {latentDim}"

        if prototypes.Length <> ups.Length then invalidArg (nameof ups) "one projection per further level"

        let contributions, codes =
            Array.map2
                (fun (e: float32[]) (up: float32[]) ->
                    if up.Length % latentDim <> 0 then invalidArg (nameof ups) $"a projection is not [{latentDim}, d]"
                    let d = up.Length / latentDim

                    if e.Length = 0 || e.Length % d <> 0 then invalidArg (nameof prototypes) $"a level's prototypes are not K x {d}"

                    let k = e.Length / d
                    let w = Array.init (d * latentDim) (fun i -> up[(i % latentDim) * d + i / latentDim])
                    let layer = DenseLayer(d, latentDim, w, Array.zeroCreate latentDim)
                    let t = Array.zeroCreate<float32> (k * latentDim)
                    Dense.apply layer (ReadOnlySpan e) k (Span t)
                    t, k)
                prototypes
                ups
            |> Array.unzip

        {
            LatentDim = latentDim
            Codes = Array.append [| level1.Length / latentDim |] codes
            Level1 = level1
            Contributions = contributions
        }

    let private values (t: torch.Tensor) = t.detach().cpu().contiguous().data<float32>().ToArray()

    /// The tables of a VQ-VAE with code levels.
    let ofNetwork (network: VqVaeNetwork) : LevelTables =
        let levels = Array.ofSeq network.FurtherLevels

        create
            network.Architecture.LatentDim
            (values network.Quantizer.Prototypes)
            (levels |> Array.map (fun l -> values l.Quantizer.Prototypes))
            (levels |> Array.map (fun l -> values l.Up))

    let private checkGrids (tables: LevelTables) (count: int) (grids: int[][]) (levels: int) =
        if levels < 1 || levels > tables.Levels || grids.Length < levels then
            invalidArg (nameof grids) $"{grids.Length} grids for {levels} of {tables.Levels} levels"

        for l in 0 .. levels - 1 do
            let g = grids[l]

            if g.Length <> count then invalidArg (nameof grids) $"level {l + 1}: {g.Length} codes for {count} positions"

            for c in g do
                if uint c >= uint tables.Codes[l] then invalidArg (nameof grids) $"level {l + 1}: code {c} outside 0..{tables.Codes[l] - 1}"

    /// Σ over levels 1 .. `levels` at every position (Count x D, position-major): w1[c1] + T_2[c2] + … + T_n[c_n],
    /// the additions left to right in binary32.
    let sumOf (tables: LevelTables) (count: int) (grids: int[][]) (levels: int) : float32[] =
        checkGrids tables count grids levels
        let d = tables.LatentDim
        let r = Array.zeroCreate<float32> (count * d)
        let g1 = grids[0]

        for p in 0 .. count - 1 do
            Array.Copy(tables.Level1, g1[p] * d, r, p * d, d)

        for l in 2 .. levels do
            let t = tables.Contributions[l - 2]
            let g = grids[l - 1]

            for p in 0 .. count - 1 do
                let src = g[p] * d
                let dst = p * d

                for o in 0 .. d - 1 do
                    r[dst + o] <- r[dst + o] + t[src + o]

        r

    /// R_{level-1}: the input of level `level`'s prior (level >= 2), from the grids of levels 1 .. level - 1.
    let before (tables: LevelTables) (count: int) (grids: int[][]) (level: int) : float32[] =
        if level < 2 then invalidArg (nameof level) "the level prior codes levels 2 and up"
        sumOf tables count grids (level - 1)

    /// The decoder's input for the grids of levels 1 .. n (n = grids.Length), Count x D position-major.
    let latents (tables: LevelTables) (count: int) (grids: int[][]) : float32[] = sumOf tables count grids grids.Length

    /// The same as `latents`, channel-major [D, H, W] (the layout of a [1, D, H, W] tensor).
    let latentsChannelMajor (tables: LevelTables) (count: int) (grids: int[][]) : float32[] =
        let r = latents tables count grids
        let d = tables.LatentDim
        Array.init (count * d) (fun i -> r[(i % count) * d + i / count])
