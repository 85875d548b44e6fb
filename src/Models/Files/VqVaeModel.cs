using System.Text.Json;
using System.Text.Json.Nodes;
using VqVae.Codec.Models.Networks;
using VqVae.Codec.Models.Quantizers;

namespace VqVae.Codec.Models.Files;

/// <summary>A Stage 1 model as loaded from (or saved to) a model file: the network and its identity.</summary>
public sealed class VqVaeModel : IDisposable
{
    /// <summary>The "kind" of a VQ-VAE model file.</summary>
    public const string Kind = "vqvae";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>Wraps a network with its name, training record and digest.</summary>
    public VqVaeModel(VqVaeNetwork network, string name, JsonObject training, byte[] digest)
    {
        Network = network;
        Name = name;
        Training = training;
        Digest = digest;
    }

    /// <summary>The network (eval mode after loading).</summary>
    public VqVaeNetwork Network { get; }

    /// <summary>Name recorded in the file, e.g. "cifar10-ng-f4".</summary>
    public string Name { get; }

    /// <summary>How the model was trained: command, data, steps, data variance (free-form JSON).</summary>
    public JsonObject Training { get; }

    /// <summary>Model digest (32 bytes; spec/model-file.md "Digest": SHA-256 of all but the file's last 32 bytes): the identity .vqz headers refer to.</summary>
    public byte[] Digest { get; }

    /// <summary>Variance of the training pixels in [0, 1], for the normalised reconstruction error.</summary>
    public double DataVariance => (double?)Training["dataVariance"] ?? double.NaN;

    /// <summary>Serialises a network as a model file.</summary>
    public static ModelFile ToFile(VqVaeNetwork network, string name, JsonObject training)
    {
        var header = new JsonObject
        {
            ["kind"] = Kind,
            ["name"] = name,
            ["architecture"] = JsonSerializer.SerializeToNode(network.Architecture, Json),
            ["quantizer"] = JsonSerializer.SerializeToNode(network.Quantizer.Options, Json),
        };
        // Only networks with code levels write their levels' quantizers: one-level files keep their bytes.
        if (network.FurtherLevels.Count > 0)
            header["levelQuantizers"] = new JsonArray(network.FurtherLevels.Select(l => JsonSerializer.SerializeToNode(l.Quantizer.Options, Json)).ToArray());
        header["training"] = training.DeepClone();
        return new(header, StateDict.Export(network));
    }

    /// <summary>Writes the model file atomically; returns its digest.</summary>
    public static byte[] Save(VqVaeNetwork network, string name, JsonObject training, string path)
    {
        var bytes = ToFile(network, name, training).ToBytes();
        AtomicFile.Write(path, bytes);
        return ModelFile.DigestOf(bytes);
    }

    /// <summary>Builds the network a parsed model file describes and loads its weights.</summary>
    public static VqVaeModel FromFile(ModelFile file, byte[] digest, string path)
    {
        if (file.Kind != Kind)
            throw new ModelFileException(path, 0, "header.kind", $"expected a '{Kind}' model, found '{file.Kind}'");
        VqVaeArchitecture architecture;
        QuantizerOptions quantizer;
        List<QuantizerOptions>? levelQuantizers = null;
        try
        {
            architecture = file.Header["architecture"].Deserialize<VqVaeArchitecture>(Json) ?? throw new JsonException("missing");
            quantizer = file.Header["quantizer"].Deserialize<QuantizerOptions>(Json) ?? throw new JsonException("missing");
            architecture.Validate();
            quantizer.Validate();
            if (file.Header["levelQuantizers"] is JsonArray levels)
                levelQuantizers = levels.Select(l => (l.Deserialize<QuantizerOptions>(Json) ?? throw new JsonException("missing level quantizer")).Validate()).ToList();
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException)
        {
            throw new ModelFileException(path, 0, "header.architecture", $"invalid architecture: {e.Message}");
        }
        VqVaeNetwork network;
        try
        {
            network = new VqVaeNetwork(architecture, quantizer, levelQuantizers);
        }
        catch (InvalidOptionsException e)
        {
            throw new ModelFileException(path, 0, "header.levelQuantizers", e.Message);
        }
        StateDict.Import(network, file.Tensors, path);
        network.eval();
        var training = file.Header["training"] as JsonObject ?? new JsonObject();
        return new VqVaeModel(network, file.Name, (JsonObject)training.DeepClone(), digest);
    }

    /// <summary>Loads a model file from disk.</summary>
    public static VqVaeModel Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return FromFile(ModelFile.Parse(bytes, path), ModelFile.DigestOf(bytes), path);
    }

    /// <summary>Short hex form of the digest (first 8 bytes) for messages.</summary>
    public string ShortDigest => Convert.ToHexStringLower(Digest.AsSpan(0, 8));

    /// <inheritdoc/>
    public void Dispose() => Network.Dispose();
}
