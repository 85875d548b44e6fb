using VqVae.Codec.Pipeline;

namespace VqVae.Codec.Tool;

/// <summary>
/// Finds the models vqz can use, with no configuration: the built-in models (models/*.vqm, *.vqp and
/// presets.json of the repository, embedded in the library VqVae.Codec), then every --model-dir, $VQZ_MODEL_PATH
/// (colon-separated) and ~/.local/share/vqz/models. Presets of later directories come first.
/// A file of these folders that cannot be read is skipped with a warning; the catalogue remembers it, so
/// that the error is its own when it was the model (or presets file) needed.
/// </summary>
internal static class ModelStore
{
    /// The catalogue of built-in and installed models; <paramref name="warn"/> hears of each file skipped.
    public static ModelCatalog Open(IEnumerable<string>? modelDirs = null, Action<string>? warn = null)
    {
        // Every command that opens the catalogue runs a network soon after: libtorch loads beside the catalogue.
        _ = VqVae.Codec.Models.NativeRuntime.PreloadTorch();
        // One set of rules for vqz and the library (DefaultModels.fs): the same folders, the same built-in models.
        var catalog = DefaultModels.openCatalog(modelDirs ?? []);
        foreach (var u in catalog.Unreadable) warn?.Invoke($"skipped {ErrorReport.Printable(u.Error.Message)}");
        return catalog;
    }
}
