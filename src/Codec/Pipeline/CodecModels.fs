namespace VqVae.Codec.Pipeline

open System
open VqVae.Codec.Entropy
open VqVae.Codec.Format
open VqVae.Codec.Models.Files
open VqVae.Codec.Models.Priors
open VqVae.Codec.Prior

/// A loaded pair of models that code images together: the VQ-VAE (its encoder and decoder) and the
/// prior of its codes, with the models tag that names the pair in .vqz headers (spec §3.8).
[<Sealed>]
type CodecModels(vqvaeSource: ModelSource, priorSource: ModelSource) =
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

    let vqvae = VqVaeModel.FromFile(ModelFile.Parse(ReadOnlySpan vqvaeSource.Bytes, vqvaeSource.Origin), vqvaeSource.Digest.ToArray(), vqvaeSource.Origin)
    let prior = PriorModel.FromFile(ModelFile.Parse(ReadOnlySpan priorSource.Bytes, priorSource.Origin), priorSource.Digest.ToArray(), priorSource.Origin)

    let gatedWeights =
        lazy
            (match prior.Prior with
             | :? GatedPixelCnnPrior as gated -> Some(GatedPixelCnnWeights.ofPrior gated)
             | _ -> None)

    /// The VQ-VAE source.
    member _.VqVaeSource = vqvaeSource
    /// The prior source.
    member _.PriorSource = priorSource
    /// The loaded VQ-VAE.
    member _.VqVae = vqvae
    /// The loaded prior.
    member _.Prior = prior
    /// The models tag of the pair.
    member _.Tag = ModelsTag.OfDigests(vqvaeSource.Digest, priorSource.Digest)

    /// The header's downsampling of the VQ-VAE.
    member _.Downsampling =
        match vqvae.Network.Architecture.Downsampling with
        | 4 -> Downsampling.By4
        | 8 -> Downsampling.By8
        | 16 -> Downsampling.By16
        | f -> invalidOp $"downsampling {f} cannot be coded"

    /// The gated PixelCNN's weights, when the prior is one (for batched coding).
    member _.GatedWeights = gatedWeights.Value

    /// A fresh conditional model of a code grid for the coder (one per grid coded): the deterministic
    /// evaluator of the gated PixelCNN, or the static unigram or uniform table.
    member _.GridModel(tileSide: int, threads: int) : GridModel =
        match prior.Prior, gatedWeights.Value with
        | _, Some weights -> GatedPixelCnnGridModel(weights, tileSide, threads)
        | (:? StaticPrior as s), _ when s.Architecture.Kind = PriorKind.Unigram -> GridModels.unigram s.Counts
        | (:? StaticPrior as s), _ -> GridModels.uniform s.Architecture.CodebookSize
        | p, _ ->
            raise (
                VqzModelException(
                    ModelProblem.NotCodable,
                    None,
                    $"the prior '{priorSource.Name}' is a {PriorArchitecture.NameOf p.Architecture.Kind}, which has no bit-exact evaluator; code with a gated-pixelcnn, unigram or uniform prior"
                )
            )

    /// Short description: names and digest prefixes.
    override _.ToString() =
        $"{vqvaeSource.Name} ({vqvaeSource.Digest.Hex.Substring(0, 12)}) + {priorSource.Name} ({priorSource.Digest.Hex.Substring(0, 12)})"

    interface IDisposable with
        member _.Dispose() =
            vqvae.Dispose()
            prior.Dispose()
