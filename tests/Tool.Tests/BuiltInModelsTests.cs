using VqVae.Codec.Pipeline;

namespace VqVae.Codec.Tool.Tests;

/// <summary>The built-in models are the library's: vqz and a program using the library find the same ones.</summary>
public sealed class BuiltInModelsTests
{
    [Fact]
    public void Vqz_and_the_library_find_the_same_built_in_models_and_presets()
    {
        var (sources, presets) = DefaultModels.builtIn().ToValueTuple();
        Assert.Equal(8, sources.Length);   // models/*.vqm and *.vqp: four pairs
        Assert.Equal(4, presets.Length);   // models/presets.json
        Assert.All(sources, s => Assert.True(s.BuiltIn && s.Origin.StartsWith("built-in:", StringComparison.Ordinal)));

        using var cli = ModelStore.Open([]);
        var builtInOfCli = cli.Sources.Where(s => s.BuiltIn).Select(s => (s.Origin, s.Digest.ToString())).ToArray();
        Assert.Equal(sources.Select(s => (s.Origin, s.Digest.ToString())).ToArray(), builtInOfCli);
        Assert.Equal(presets.ToArray(), cli.Presets.TakeLast(presets.Length).ToArray());

        using var library = DefaultModels.openCatalog([]);
        Assert.Equal(cli.Sources.Select(s => (s.Origin, s.Digest.ToString())).ToArray(), library.Sources.Select(s => (s.Origin, s.Digest.ToString())).ToArray());
        Assert.Equal(cli.Presets.ToArray(), library.Presets.ToArray());
    }
}
