namespace VqVae.Codec.Pipeline

open System
open System.IO
open System.Text.Json
open System.Text.Json.Nodes
open VqVae.Codec.Format
open VqVae.Codec.Models.Files

/// A model file the codec can use: its bytes, where they came from, and what the file says it is.
type ModelSource =
    {
        /// Name recorded in the model file.
        Name: string
        /// "vqvae" or "prior".
        Kind: string
        /// File path, or "built-in:<name>", or "embedded in <file>".
        Origin: string
        /// The model file.
        Bytes: byte[]
        /// The model digest (spec/model-file.md "Digest": SHA-256 of the file before its last 32 bytes): its identity.
        Digest: Sha256Digest
        /// For a prior, the digest of the VQ-VAE whose codes it models.
        VqVaeDigest: Sha256Digest option
        /// Whether the model ships with vqz.
        BuiltIn: bool
    }

/// Reading model sources.
[<RequireQualifiedAccess>]
module ModelSource =
    /// Parses model file bytes (verifying their SHA-256); raises ModelFileException for a bad file.
    let ofBytes (origin: string) (builtIn: bool) (bytes: byte[]) =
        let file = ModelFile.Parse(ReadOnlySpan bytes, origin)

        let vqvae =
            match file.Header["vqvae"] with
            | null -> None
            | node ->
                // The digest of the VQ-VAE a prior models: 64 hexadecimal digits, else the file is malformed.
                let digest =
                    match node.GetValueKind() with
                    | JsonValueKind.String ->
                        let hex = node.GetValue<string>()
                        if hex.Length = 64 && hex |> Seq.forall Uri.IsHexDigit then Some(Convert.FromHexString hex) else None
                    | _ -> None

                match digest with
                | Some d -> Some(Sha256Digest.FromBytes(ReadOnlySpan d))
                | None -> raise (ModelFileException(origin, 0L, "header.vqvae", "the VQ-VAE digest is not 64 hexadecimal digits"))

        {
            Name = file.Name
            Kind = file.Kind
            Origin = origin
            Bytes = bytes
            Digest = Sha256Digest.FromBytes(ReadOnlySpan(ModelFile.DigestOf(ReadOnlySpan bytes)))
            VqVaeDigest = vqvae
            BuiltIn = builtIn
        }

    /// Reads a model file from disk.
    let ofFile (path: string) =
        if not (File.Exists path) then
            raise (FileNotFoundException($"model file not found: {path}", path))

        ofBytes path false (File.ReadAllBytes path)

    /// Whether `source` is a prior that needs no network: `architecture.kind` "uniform" or "unigram".
    let isStaticPrior (source: ModelSource) =
        source.Kind = "prior"
        && (match ModelFile.Parse(ReadOnlySpan source.Bytes, source.Origin).Header["architecture"] with
            | :? JsonObject as a ->
                match a["kind"] with
                | null -> false
                | kind -> kind.GetValueKind() = JsonValueKind.String && (kind.GetValue<string>() = "uniform" || kind.GetValue<string>() = "unigram")
            | _ -> false)
