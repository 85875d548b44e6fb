using System.Text.Json;
using System.Text.Json.Nodes;
using VqVae.Codec.Models.Files;

namespace VqVae.Codec.Models.Priors;

/// <summary>A Stage 2 model as loaded from a model file: the prior, its identity, and the VQ-VAE it belongs to.</summary>
public sealed class PriorModel(Prior prior, string name, byte[] vqvaeDigest, JsonObject training, byte[] digest) : IDisposable
{
    /// <summary>The "kind" of a prior model file.</summary>
    public const string Kind = "prior";

    /// <summary>The network (eval mode).</summary>
    public Prior Prior { get; } = prior;

    /// <summary>Name recorded in the file.</summary>
    public string Name { get; } = name;

    /// <summary>Model digest (spec/model-file.md "Digest") of the VQ-VAE whose codes this prior models.</summary>
    public byte[] VqVaeDigest { get; } = vqvaeDigest;

    /// <summary>How the prior was trained.</summary>
    public JsonObject Training { get; } = training;

    /// <summary>Model digest of this file (spec/model-file.md "Digest": SHA-256 of all but its last 32 bytes).</summary>
    public byte[] Digest { get; } = digest;

    /// <summary>Short hex form of the digest.</summary>
    public string ShortDigest => Convert.ToHexStringLower(Digest.AsSpan(0, 8));

    /// <summary>Serialises a prior as a model file.</summary>
    public static ModelFile ToFile(Prior prior, string name, byte[] vqvaeDigest, JsonObject training) =>
        new(new JsonObject
        {
            ["kind"] = Kind,
            ["name"] = name,
            ["architecture"] = JsonSerializer.SerializeToNode(prior.Architecture, VqVaeModel.Json),
            ["vqvae"] = Convert.ToHexStringLower(vqvaeDigest),
            ["training"] = training.DeepClone(),
        }, StateDict.Export(prior));

    /// <summary>Writes the model file atomically; returns its digest.</summary>
    public static byte[] Save(Prior prior, string name, byte[] vqvaeDigest, JsonObject training, string path)
    {
        var bytes = ToFile(prior, name, vqvaeDigest, training).ToBytes();
        AtomicFile.Write(path, bytes);
        return ModelFile.DigestOf(bytes);
    }

    /// <summary>Builds the prior a parsed model file describes.</summary>
    public static PriorModel FromFile(ModelFile file, byte[] digest, string path)
    {
        if (file.Kind != Kind) throw new ModelFileException(path, 0, "header.kind", $"expected a '{Kind}' model, found '{file.Kind}'");
        PriorArchitecture architecture;
        byte[] vqvae;
        try
        {
            architecture = file.Header["architecture"].Deserialize<PriorArchitecture>(VqVaeModel.Json) ?? throw new JsonException("missing");
            architecture.Validate();
            vqvae = Convert.FromHexString((string?)file.Header["vqvae"] ?? throw new JsonException("missing vqvae digest"));
        }
        catch (Exception e) when (e is JsonException or ArgumentException or FormatException or NotSupportedException)
        {
            throw new ModelFileException(path, 0, "header.architecture", $"invalid prior header: {e.Message}");
        }
        var prior = PriorFactory.Create(architecture);
        StateDict.Import(prior, file.Tensors, path);
        prior.eval();
        return new PriorModel(prior, file.Name, vqvae, (JsonObject)((file.Header["training"] as JsonObject)?.DeepClone() ?? new JsonObject()), digest);
    }

    /// <summary>Loads a prior model file from disk.</summary>
    public static PriorModel Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return FromFile(ModelFile.Parse(bytes, path), ModelFile.DigestOf(bytes), path);
    }

    /// <inheritdoc/>
    public void Dispose() => Prior.Dispose();
}
