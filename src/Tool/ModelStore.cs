using System.Reflection;
using Microsoft.FSharp.Collections;
using VqVae.Codec.Pipeline;

namespace VqVae.Codec.Tool;

/// <summary>
/// Finds the models vqz can use, with no configuration: the built-in models (models/*.vqm, *.vqp and
/// presets.json of the repository, embedded in vqz), then every --model-dir, $VQZ_MODEL_PATH
/// (colon-separated) and ~/.local/share/vqz/models. Presets of later directories come first.
/// </summary>
internal static class ModelStore
{
    private const string ResourcePrefix = "models/";

    /// Directories searched besides the built-in models.
    public static IEnumerable<string> Directories(IEnumerable<string>? extra)
    {
        foreach (var d in extra ?? []) yield return d;
        var env = Environment.GetEnvironmentVariable("VQZ_MODEL_PATH");
        if (!string.IsNullOrEmpty(env))
            foreach (var d in env.Split(':', StringSplitOptions.RemoveEmptyEntries)) yield return d;
        yield return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share", "vqz", "models");
    }

    /// The catalogue of built-in and installed models.
    public static ModelCatalog Open(IEnumerable<string>? modelDirs = null)
    {
        var sources = new List<ModelSource>();
        var presets = new List<Preset>();
        foreach (var dir in Directories(modelDirs))
        {
            var (s, p) = ModelCatalogModule.ofDirectory(false, dir).ToValueTuple();
            sources.AddRange(s);
            presets.AddRange(p);
        }
        var assembly = DefaultModels.resourceAssembly;   // the built-in models are the library's (DefaultModels.fs)
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            var file = name[ResourcePrefix.Length..];
            if (file == "presets.json")
                presets.AddRange(ModelCatalogModule.parsePresets(System.Text.Encoding.UTF8.GetString(memory.ToArray())));
            else
                sources.Add(ModelSourceModule.ofBytes($"built-in:{file}", true, memory.ToArray()));
        }
        return ModelCatalogModule.create(ListModule.OfSeq(sources), ListModule.OfSeq(presets));
    }
}
