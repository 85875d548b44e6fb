using System.Text.Json;
using System.Text.Json.Nodes;
using VqVae.Codec.Models.Files;

namespace VqVae.Codec.Models.Priors;

/// <summary>A checkerboard level prior as loaded from its model file (.vql): the network, its identity, and the VQ-VAE it belongs to.</summary>
public sealed class CheckerboardLevelModel(CheckerboardLevelPrior prior, string name, byte[] vqvaeDigest, JsonObject training, byte[] digest) : IDisposable
{
    /// <summary>The "kind" of a level prior model file.</summary>
    public const string Kind = "level-prior";

    /// <summary>The file extension of level prior models.</summary>
    public const string Extension = ".vql";

    /// <summary>The network (eval mode).</summary>
    public CheckerboardLevelPrior Prior { get; } = prior;

    /// <summary>Name recorded in the file.</summary>
    public string Name { get; } = name;

    /// <summary>Model digest of the VQ-VAE (with levels) whose further levels this prior models.</summary>
    public byte[] VqVaeDigest { get; } = vqvaeDigest;

    /// <summary>How the prior was trained.</summary>
    public JsonObject Training { get; } = training;

    /// <summary>Model digest of this file.</summary>
    public byte[] Digest { get; } = digest;

    /// <summary>Short hex form of the digest.</summary>
    public string ShortDigest => Convert.ToHexStringLower(Digest.AsSpan(0, 8));

    /// <summary>Serialises a level prior as a model file.</summary>
    public static ModelFile ToFile(CheckerboardLevelPrior prior, string name, byte[] vqvaeDigest, JsonObject training) =>
        new(new JsonObject
        {
            ["kind"] = Kind,
            ["name"] = name,
            ["architecture"] = JsonSerializer.SerializeToNode(prior.Architecture, VqVaeModel.Json),
            ["vqvae"] = Convert.ToHexStringLower(vqvaeDigest),
            ["training"] = training.DeepClone(),
        }, StateDict.Export(prior));

    /// <summary>Writes the model file atomically; returns its digest.</summary>
    public static byte[] Save(CheckerboardLevelPrior prior, string name, byte[] vqvaeDigest, JsonObject training, string path)
    {
        var bytes = ToFile(prior, name, vqvaeDigest, training).ToBytes();
        AtomicFile.Write(path, bytes);
        return ModelFile.DigestOf(bytes);
    }

    /// <summary>Builds the level prior a parsed model file describes.</summary>
    public static CheckerboardLevelModel FromFile(ModelFile file, byte[] digest, string path)
    {
        if (file.Kind != Kind) throw new ModelFileException(path, 0, "header.kind", $"expected a '{Kind}' model, found '{file.Kind}'");
        CheckerboardLevelArchitecture architecture;
        byte[] vqvae;
        try
        {
            architecture = file.Header["architecture"].Deserialize<CheckerboardLevelArchitecture>(VqVaeModel.Json) ?? throw new JsonException("missing");
            architecture.Validate();
            vqvae = Convert.FromHexString((string?)file.Header["vqvae"] ?? throw new JsonException("missing vqvae digest"));
        }
        catch (Exception e) when (e is JsonException or ArgumentException or FormatException or NotSupportedException or InvalidOptionsException)
        {
            throw new ModelFileException(path, 0, "header.architecture", $"invalid level prior header: {e.Message}");
        }
        var prior = new CheckerboardLevelPrior(architecture);
        StateDict.Import(prior, file.Tensors, path);
        prior.eval();
        return new CheckerboardLevelModel(prior, file.Name, vqvae, (JsonObject)((file.Header["training"] as JsonObject)?.DeepClone() ?? new JsonObject()), digest);
    }

    /// <summary>Loads a level prior model file from disk.</summary>
    public static CheckerboardLevelModel Load(string path)
    {
        var bytes = ModelFile.ReadBytes(path);
        return FromFile(ModelFile.Parse(bytes, path), ModelFile.DigestOf(bytes), path);
    }

    /// <inheritdoc/>
    public void Dispose() => Prior.Dispose();
}
