namespace VqVae.Codec.Pipeline

open System
open VqVae.Codec.Entropy
open VqVae.Codec.Format
open VqVae.Codec.Models.Files
open VqVae.Codec.Models.Priors
open VqVae.Codec.Prior

/// The models that code images together: the VQ-VAE (its encoder and decoder), the prior of its level-1
/// codes and, for files with code levels, the level prior of levels 2 and up (docs/levels.md), with the
/// models tag that names them in .vqz headers (spec §3.6).
[<Sealed>]
type CodecModels(vqvaeSource: ModelSource, priorSource: ModelSource, levelPriorSource: ModelSource option) =
    do
        if vqvaeSource.Kind <> VqVaeModel.Kind then
            invalidArg (nameof vqvaeSource) $"{vqvaeSource.Origin} is a '{vqvaeSource.Kind}' model, not a VQ-VAE"

        if priorSource.Kind <> PriorModel.Kind then
            invalidArg (nameof priorSource) $"{priorSource.Origin} is a '{priorSource.Kind}' model, not a prior"

        if priorSource.VqVaeDigest <> Some vqvaeSource.Digest then
            raise (
                VqzModelException(
                    ModelProblem.Missing,
                    None,
                    $"the prior '{priorSource.Name}' ({priorSource.Origin}) was trained on the codes of another VQ-VAE, not '{vqvaeSource.Name}' (sha256 {vqvaeSource.Digest})"
                )
            )

    do
        match levelPriorSource with
        | None -> ()
        | Some l ->
            if l.Kind <> CheckerboardLevelModel.Kind then
                invalidArg (nameof levelPriorSource) $"{l.Origin} is a '{l.Kind}' model, not a level prior"

            if l.VqVaeDigest <> Some vqvaeSource.Digest then
                raise (
                    VqzModelException(
                        ModelProblem.Missing,
                        None,
                        $"the level prior '{l.Name}' ({l.Origin}) was trained on the levels of another VQ-VAE, not '{vqvaeSource.Name}' (sha256 {vqvaeSource.Digest})"
                    )
                )

    let vqvae = VqVaeModel.FromFile(ModelFile.Parse(ReadOnlySpan vqvaeSource.Bytes, vqvaeSource.Origin), vqvaeSource.Digest.ToArray(), vqvaeSource.Origin)
    let prior = PriorModel.FromFile(ModelFile.Parse(ReadOnlySpan priorSource.Bytes, priorSource.Origin), priorSource.Digest.ToArray(), priorSource.Origin)

    do
        if prior.Prior.Architecture.CodebookSize <> vqvae.Network.Architecture.CodebookSize then
            raise (
                VqzModelException(
                    ModelProblem.Missing,
                    None,
                    $"the prior '{priorSource.Name}' has an alphabet of {prior.Prior.Architecture.CodebookSize} codes, the VQ-VAE '{vqvaeSource.Name}' {vqvaeSource.Digest} a codebook of {vqvae.Network.Architecture.CodebookSize}"
                )
            )

    do
        // The pipeline gives the network 3 channels, a grayscale image as three equal ones (spec §8.4.1).
        if vqvae.Network.Architecture.ImageChannels <> 3 then
            raise (
                VqzModelException(
                    ModelProblem.NotCodable,
                    None,
                    $"the VQ-VAE '{vqvaeSource.Name}' has {vqvae.Network.Architecture.ImageChannels} image channel(s); the codec needs 3 (grayscale images go through as three equal channels)"
                )
            )

    let gatedWeights = lazy (PriorCoding.gatedWeights prior.Prior)

    let levelPrior =
        levelPriorSource
        |> Option.map (fun l -> CheckerboardLevelModel.FromFile(ModelFile.Parse(ReadOnlySpan l.Bytes, l.Origin), l.Digest.ToArray(), l.Origin))

    // What the level prior's evaluator needs: its weights and the VQ-VAE's level tables (exact arrays),
    // checked against each other here, as the prior's alphabet is above: a level prior whose D or K_l are
    // not the VQ-VAE's cannot be the one the file was coded with (spec §3.6, check 7).
    let levelCoding =
        levelPrior
        |> Option.map (fun l ->
            let weights = CheckerboardLevelWeights.ofPrior l.Prior
            let tables = LevelContext.ofNetwork vqvae.Network

            try
                LevelCoding.check weights tables (min weights.MaxLevel tables.Levels)
            with :? ArgumentException as e ->
                let reason = e.Message.Replace($" (Parameter '{e.ParamName}')", "")
                let source = levelPriorSource.Value

                raise (
                    VqzModelException(
                        ModelProblem.Missing,
                        None,
                        $"the level prior '{source.Name}' ({source.Origin}) does not fit the VQ-VAE '{vqvaeSource.Name}' (sha256 {vqvaeSource.Digest}): {reason}"
                    )
                )

            weights, tables)

    /// Most levels these models code: the VQ-VAE's levels (within the level prior's), 1 without a level prior.
    let maxLevels =
        match levelPrior with
        | None -> 1
        | Some l -> min vqvae.Network.LevelCount l.Prior.Architecture.MaxLevel

    /// The VQ-VAE and its prior (files of one code level).
    new(vqvaeSource: ModelSource, priorSource: ModelSource) = new CodecModels(vqvaeSource, priorSource, None)

    /// The VQ-VAE source.
    member _.VqVaeSource = vqvaeSource
    /// The prior source.
    member _.PriorSource = priorSource
    /// The loaded VQ-VAE.
    member _.VqVae = vqvae
    /// The loaded prior.
    member _.Prior = prior
    /// The level prior source, when these models code levels 2 and up.
    member _.LevelPriorSource = levelPriorSource
    /// Most code levels these models can send (1 without a level prior).
    member _.MaxLevels = maxLevels
    /// The level prior's weights and the VQ-VAE's level tables (None without a level prior).
    member _.LevelCoding = levelCoding

    /// The models tag of the files these models write: of the VQ-VAE and prior, and of the level prior too
    /// when there is one (such files have a LEVELS chunk).
    member _.Tag =
        match levelPriorSource with
        | None -> ModelsTag.OfDigests(vqvaeSource.Digest, priorSource.Digest)
        | Some l -> ModelsTag.OfDigests(vqvaeSource.Digest, priorSource.Digest, l.Digest)

    /// The models tag of a file of `levels` code levels written with these models: of the VQ-VAE and prior
    /// for one level (a file without LEVELS), of all three for more (spec §3.6).
    member this.TagFor(levels: int) =
        match levelPriorSource with
        | Some l when levels > 1 -> ModelsTag.OfDigests(vqvaeSource.Digest, priorSource.Digest, l.Digest)
        | _ when levels > 1 -> invalidArg (nameof levels) $"{levels} levels need a level prior; {this} has none"
        | _ -> ModelsTag.OfDigests(vqvaeSource.Digest, priorSource.Digest)

    /// Every model file of the set.
    member _.Sources = [ vqvaeSource; priorSource ] @ Option.toList levelPriorSource

    /// The header's downsampling of the VQ-VAE.
    member _.Downsampling =
        match vqvae.Network.Architecture.Downsampling with
        | 4 -> Downsampling.By4
        | 8 -> Downsampling.By8
        | 16 -> Downsampling.By16
        | f -> invalidOp $"downsampling {f} cannot be coded"

    /// The gated PixelCNN's weights, when the prior is one (for batched coding).
    member _.GatedWeights = gatedWeights.Value

    /// Raises VqzModelException unless the prior can code (gated PixelCNN, unigram, uniform).
    member _.CheckCodable() =
        if (PriorCoding.gridModel prior.Prior gatedWeights.Value 0 1).IsNone then
            raise (
                VqzModelException(
                    ModelProblem.NotCodable,
                    None,
                    $"the prior '{priorSource.Name}' is a {PriorArchitecture.NameOf prior.Prior.Architecture.Kind}, which has no bit-exact evaluator; code with a gated-pixelcnn, unigram or uniform prior"
                )
            )

    /// A fresh conditional model of a code grid for the coder (one per grid coded).
    member this.GridModel(tileSide: int, threads: int) : GridModel =
        this.CheckCodable()
        (PriorCoding.gridModel prior.Prior gatedWeights.Value tileSide threads).Value

    /// Short description: names and digest prefixes.
    override _.ToString() =
        let levels =
            match levelPriorSource with
            | None -> ""
            | Some l -> $" + {l.Name} ({l.Digest.Hex.Substring(0, 12)})"

        $"{vqvaeSource.Name} ({vqvaeSource.Digest.Hex.Substring(0, 12)}) + {priorSource.Name} ({priorSource.Digest.Hex.Substring(0, 12)}){levels}"

    interface IDisposable with
        member _.Dispose() =
            vqvae.Dispose()
            prior.Dispose()
            levelPrior |> Option.iter (fun l -> l.Dispose())
