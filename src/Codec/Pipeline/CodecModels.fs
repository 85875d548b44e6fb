namespace VqVae.Codec.Pipeline

open System
open VqVae.Codec.Entropy
open VqVae.Codec.Format
open VqVae.Codec.Models.Files
open VqVae.Codec.Models.Priors
open VqVae.Codec.Prior

/// A loaded pair of models that code images together: the VQ-VAE (its encoder and decoder) and the
/// prior of its codes, with the models tag that names the pair in .vqz headers (spec §3.6).
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
        $"{vqvaeSource.Name} ({vqvaeSource.Digest.Hex.Substring(0, 12)}) + {priorSource.Name} ({priorSource.Digest.Hex.Substring(0, 12)})"

    interface IDisposable with
        member _.Dispose() =
            vqvae.Dispose()
            prior.Dispose()
