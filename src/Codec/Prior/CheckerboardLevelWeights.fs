namespace VqVae.Codec.Prior

open TorchSharp
open VqVae.Codec.Models.Priors

/// The checkerboard level prior (spec/prior.md §6) as dense layers over gathered taps: what the
/// deterministic evaluator needs and nothing else.
type CheckerboardLevelWeights =
    {
        /// D: the latent dimension (the reconstruction so far is a D-vector per position).
        LatentDim: int
        /// C_a: channels of the context map a.
        ContextChannels: int
        /// E: channels of the own-code embedding.
        CodeChannels: int
        /// C_h: channels of h1 and h2.
        HiddenChannels: int
        /// Per further level (index l - 2): a = R W + (b + λ_l), D -> C_a, the bias b + λ_l rounded once to binary32.
        Context: DenseLayer[]
        /// h1 before ReLU: 9 C_a + 4 E inputs (the 9 taps of a, dy = -1..1, dx = -1..1 row-major, then the cross taps of m: up, left, right, down) -> C_h.
        Mix: DenseLayer
        /// C_h -> C_h.
        Hidden: DenseLayer
        /// Per further level: the own-code embedding, K_l x E row-major.
        Embeddings: float32[][]
        /// Per further level: C_h -> K_l logits.
        Heads: DenseLayer[]
    }

    /// L_max: the highest level the prior codes (levels 2 .. L_max).
    member this.MaxLevel = 1 + this.Heads.Length

    /// K of level `level` (2 .. L_max).
    member this.CodesOf(level: int) =
        if level < 2 || level > this.MaxLevel then
            invalidArg (nameof level) $"the level prior codes levels 2..{this.MaxLevel}, not level {level}"

        this.Heads[level - 2].Outputs

/// Builds CheckerboardLevelWeights from the stored tensors (spec/prior.md §6.1) or a trained CheckerboardLevelPrior.
[<RequireQualifiedAccess>]
module CheckerboardLevelWeights =
    /// The 3x3 taps of the context map, in input order: (dy, dx) for dy = -1..1, dx = -1..1.
    let contextTaps = [| for dy in -1 .. 1 do for dx in -1 .. 1 -> struct (dy, dx) |]

    /// The cross taps of the own-code map, in input order: up, left, right, down.
    let codeTaps = [| struct (-1, 0); struct (0, -1); struct (0, 1); struct (1, 0) |]

    /// A 1x1 convolution weight [out, in, 1, 1] (output-major) as a dense layer.
    let private pointwise (inputs: int) (outputs: int) (weight: float32[]) (bias: float32[]) =
        if weight.Length <> inputs * outputs then invalidArg (nameof weight) $"{weight.Length} weights for a {inputs} -> {outputs} layer"
        DenseLayer(inputs, outputs, Array.init (inputs * outputs) (fun i -> weight[(i % outputs) * inputs + i / outputs]), bias)

    /// The weights from the tensors of a model file, in their stored layout (row-major, convolutions
    /// output-major): context [C_a, D, 1, 1] and bias [C_a]; levelBias [L_max - 1, C_a]; mix [C_h, C_a, 3, 3]
    /// and bias [C_h]; codes [C_h, E, 3, 3] (only the cross taps are read); hidden [C_h, C_h, 1, 1] and bias;
    /// per level: embedding [K_l, E], head [K_l, C_h, 1, 1] and bias [K_l].
    let create
        (latentDim: int)
        (contextWeight: float32[])
        (contextBias: float32[])
        (levelBias: float32[])
        (mixWeight: float32[])
        (mixBias: float32[])
        (codesWeight: float32[])
        (hiddenWeight: float32[])
        (hiddenBias: float32[])
        (embeddings: float32[][])
        (headWeights: float32[][])
        (headBiases: float32[][])
        : CheckerboardLevelWeights =
        let ca = contextBias.Length
        let ch = mixBias.Length
        let levels = headBiases.Length

        if levels < 1 || embeddings.Length <> levels || headWeights.Length <> levels then
            invalidArg (nameof headBiases) "one embedding and one head per further level"

        if levelBias.Length <> levels * ca then
            invalidArg (nameof levelBias) $"{levelBias.Length} level biases for {levels} levels of {ca}"

        if mixWeight.Length <> ch * ca * 9 then invalidArg (nameof mixWeight) "mix weight is not [C_h, C_a, 3, 3]"

        if codesWeight.Length % (ch * 9) <> 0 then invalidArg (nameof codesWeight) "codes weight is not [C_h, E, 3, 3]"

        let e = codesWeight.Length / (ch * 9)

        let context =
            Array.init levels (fun l ->
                let bias = Array.init ca (fun o -> contextBias[o] + levelBias[l * ca + o])
                pointwise latentDim ca contextWeight bias)

        let inputs = 9 * ca + 4 * e
        let mix = Array.zeroCreate<float32> (inputs * ch)

        for t in 0 .. 8 do
            let struct (dy, dx) = contextTaps[t]

            for c in 0 .. ca - 1 do
                for o in 0 .. ch - 1 do
                    mix[(t * ca + c) * ch + o] <- mixWeight[((o * ca + c) * 3 + dy + 1) * 3 + dx + 1]

        for u in 0 .. 3 do
            let struct (dy, dx) = codeTaps[u]

            for c in 0 .. e - 1 do
                for o in 0 .. ch - 1 do
                    mix[(9 * ca + u * e + c) * ch + o] <- codesWeight[((o * e + c) * 3 + dy + 1) * 3 + dx + 1]

        let heads =
            Array.init levels (fun l ->
                let k = headBiases[l].Length

                if embeddings[l].Length <> k * e then
                    invalidArg (nameof embeddings) $"level {l + 2}: the embedding is not [{k}, {e}]"

                pointwise ch k headWeights[l] headBiases[l])

        {
            LatentDim = latentDim
            ContextChannels = ca
            CodeChannels = e
            HiddenChannels = ch
            Context = context
            Mix = DenseLayer(inputs, ch, mix, mixBias)
            Hidden = pointwise ch ch hiddenWeight hiddenBias
            Embeddings = embeddings
            Heads = heads
        }

    let private values (t: torch.Tensor | null) =
        match t with
        | null -> invalidOp "a layer of the level prior has no weight or bias"
        | t -> t.detach().cpu().contiguous().data<float32>().ToArray()

    /// Extracts the weights of a trained prior.
    let ofPrior (prior: CheckerboardLevelPrior) : CheckerboardLevelWeights =
        let a = prior.Architecture
        let levels = [| 2 .. a.MaxLevel |]

        create
            a.LatentDim
            (values prior.Context.weight)
            (values prior.Context.bias)
            (values prior.LevelBias)
            (values prior.Mix.weight)
            (values prior.Mix.bias)
            (values prior.Codes.weight)
            (values prior.Hidden.weight)
            (values prior.Hidden.bias)
            (levels |> Array.map (fun l -> values (prior.EmbeddingOf l).weight))
            (levels |> Array.map (fun l -> values (prior.HeadOf l).weight))
            (levels |> Array.map (fun l -> values (prior.HeadOf l).bias))
