namespace VqVae.Codec.Format

open System
open System.Buffers.Binary
open System.Security.Cryptography
open System.Text

/// The digest of a model (spec/model-file.md "Digest"): the SHA-256 of every byte of its model file
/// before the last 32, which a model file stores as those last 32 bytes. Also the pseudo-digests of
/// the static model sets (spec §8.2), which have no file.
[<CustomEquality; NoComparison>]
type Sha256Digest =
    private
        { bytes: byte[] }

    /// The 32 digest bytes (a copy).
    member this.ToArray() = Array.copy this.bytes

    /// Lower-case hexadecimal.
    member this.Hex = Convert.ToHexStringLower this.bytes

    override this.ToString() = this.Hex

    override this.Equals(other) =
        match other with
        | :? Sha256Digest as d -> this.bytes.AsSpan().SequenceEqual(ReadOnlySpan d.bytes)
        | _ -> false

    override this.GetHashCode() = BinaryPrimitives.ReadInt32LittleEndian(ReadOnlySpan this.bytes)

    /// Writes the 32 bytes to `destination`.
    member this.CopyTo(destination: Span<byte>) = ReadOnlySpan(this.bytes).CopyTo destination

    /// The SHA-256 of `data` (all of it).
    static member Of(data: ReadOnlySpan<byte>) = { bytes = SHA256.HashData data }

    /// The model digest of `data` when it is a model file, i.e. starts with the model file magic
    /// `VQZMODEL` and ends with the SHA-256 of the bytes before its last 32 (spec/model-file.md).
    static member TryOfModelFile(data: ReadOnlySpan<byte>) =
        let magic = "VQZMODEL"B

        if data.Length < magic.Length + VqzLayout.DigestLength || not (data.StartsWith(ReadOnlySpan magic)) then
            ValueNone
        else
            let body = data.Slice(0, data.Length - VqzLayout.DigestLength)
            let stored = data.Slice(data.Length - VqzLayout.DigestLength)
            let hash = SHA256.HashData body
            if stored.SequenceEqual(ReadOnlySpan hash) then ValueSome { bytes = hash } else ValueNone

    /// Wraps 32 digest bytes (copied).
    static member FromBytes(digest: ReadOnlySpan<byte>) =
        if digest.Length <> VqzLayout.DigestLength then
            invalidArg (nameof digest) $"a SHA-256 digest has 32 bytes, not {digest.Length}"

        { bytes = digest.ToArray() }

/// The role of a model needed to decode a file (spec §4.3).
[<RequireQualifiedAccess>]
type ModelRole =
    /// The VQ-VAE: its decoder turns the latent grid into pixels.
    | Autoencoder
    /// The prior: it gives the frequency tables of the latent grid.
    | Prior
    /// The level prior: it gives the frequency tables of code levels 2..n (spec §4.6, version 1.1; only
    /// in a file with a LEVELS chunk).
    | LevelPrior

    /// Role code in the MODEL-NAMES and EMBEDDED-MODELS chunks.
    member this.Code =
        match this with
        | Autoencoder -> 1uy
        | Prior -> 2uy
        | LevelPrior -> 3uy

    /// The role of a code, if any.
    static member TryOfCode(code: byte) =
        match code with
        | 1uy -> ValueSome Autoencoder
        | 2uy -> ValueSome Prior
        | 3uy -> ValueSome LevelPrior
        | _ -> ValueNone

    /// "autoencoder", "prior" or "level-prior".
    override this.ToString() =
        match this with
        | Autoencoder -> "autoencoder"
        | Prior -> "prior"
        | LevelPrior -> "level-prior"

/// The 4-byte models tag: the first 4 bytes of SHA-256(autoencoderDigest || priorDigest), or of
/// SHA-256(autoencoderDigest || priorDigest || levelPriorDigest) in a file with LEVELS (spec §3.6).
/// Value holds the 4 bytes big-endian, so its hexadecimal form reads like the bytes in the file.
[<Struct>]
type ModelsTag =
    | ModelsTag of value: uint32

    /// The tag as a big-endian number.
    member this.Value =
        let (ModelsTag v) = this
        v

    /// Eight lower-case hexadecimal digits, in file byte order.
    override this.ToString() = this.Value.ToString "x8"

    static member private OfAll(digests: Sha256Digest[]) =
        let all = Array.zeroCreate<byte> (digests.Length * VqzLayout.DigestLength)

        digests
        |> Array.iteri (fun i d -> d.CopyTo(all.AsSpan(i * VqzLayout.DigestLength, VqzLayout.DigestLength)))

        let hash = SHA256.HashData all
        ModelsTag(BinaryPrimitives.ReadUInt32BigEndian(ReadOnlySpan hash))

    /// The tag of the two models that decode a file without LEVELS.
    static member OfDigests(autoencoder: Sha256Digest, prior: Sha256Digest) = ModelsTag.OfAll [| autoencoder; prior |]

    /// The tag of the three models that decode a file with LEVELS (spec §3.6, §4.6): 96 bytes hashed.
    static member OfDigests(autoencoder: Sha256Digest, prior: Sha256Digest, levelPrior: Sha256Digest) =
        ModelsTag.OfAll [| autoencoder; prior; levelPrior |]

/// The static model sets (spec §8.2): priors that need no network and have no autoencoder. A set is
/// named like its prior model (`uniform-512`) and stands in the models tag for two pseudo-digests.
[<RequireQualifiedAccess>]
module StaticModelSet =
    /// SHA-256 of the UTF-8 text `static:<name>:<role>` (role `autoencoder` or `prior`).
    let digest (name: string) (role: ModelRole) = Sha256Digest.Of(ReadOnlySpan(Encoding.UTF8.GetBytes $"static:{name}:{role}"))

    /// The models tag of the static model set `name`.
    let tag (name: string) = ModelsTag.OfDigests(digest name ModelRole.Autoencoder, digest name ModelRole.Prior)
