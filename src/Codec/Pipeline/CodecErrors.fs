namespace VqVae.Codec.Pipeline

open System
open VqVae.Codec.Format

/// What is wrong with the models a .vqz file needs.
[<RequireQualifiedAccess>]
type ModelProblem =
    /// No installed or embedded pair of models has the file's models tag.
    | Missing
    /// The file embeds model bytes whose digests do not give the file's models tag.
    | EmbeddedMismatch
    /// The prior cannot be evaluated deterministically, so it cannot code (MADE, plain PixelCNN).
    | NotCodable

/// A .vqz file cannot be decoded (or an image encoded) because of its models; the message names the
/// models (by name and digest where the file or the catalogue knows them) and the models tag.
[<Sealed>]
type VqzModelException(problem: ModelProblem, tag: ModelsTag option, message: string) =
    inherit Exception(message)

    /// What is wrong.
    member _.Problem = problem

    /// The models tag of the file, when one is involved.
    member _.Tag = tag

/// Images the codec does not take.
[<Sealed>]
type UnsupportedImageException(message: string) =
    inherit Exception(message)

/// A presets.json of a model folder cannot be used; the message names the file.
[<Sealed>]
type PresetsFileException(path: string, reason: string) =
    inherit Exception($"{path}: {reason}")

    /// The presets file at fault.
    member _.Path = path

    /// What is wrong with it.
    member _.Reason = reason
