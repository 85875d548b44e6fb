namespace VqVae.Codec.Format

open System
open System.Buffers.Binary
open System.Security.Cryptography

/// The SHA-256 digest of a model file.
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

    /// The digest of `data`.
    static member Of(data: ReadOnlySpan<byte>) = { bytes = SHA256.HashData data }

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

    /// Role code in the MODEL-NAMES and EMBEDDED-MODELS chunks.
    member this.Code =
        match this with
        | Autoencoder -> 1uy
        | Prior -> 2uy

    /// The role of a code, if any.
    static member TryOfCode(code: byte) =
        match code with
        | 1uy -> ValueSome Autoencoder
        | 2uy -> ValueSome Prior
        | _ -> ValueNone

    /// "autoencoder" or "prior".
    override this.ToString() =
        match this with
        | Autoencoder -> "autoencoder"
        | Prior -> "prior"

/// The 4-byte models tag: the first 4 bytes of SHA-256(autoencoderDigest || priorDigest) (spec §3.6).
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

    /// The tag of the two models that decode a file.
    static member OfDigests(autoencoder: Sha256Digest, prior: Sha256Digest) =
        let both = Array.zeroCreate<byte> (2 * VqzLayout.DigestLength)
        autoencoder.CopyTo(both.AsSpan(0, VqzLayout.DigestLength))
        prior.CopyTo(both.AsSpan VqzLayout.DigestLength)
        let hash = SHA256.HashData both
        ModelsTag(BinaryPrimitives.ReadUInt32BigEndian(ReadOnlySpan hash))
