namespace VqVae.Codec.Api.Tests;

/// <summary>
/// Code levels through the C# front door: the golden tiny models with levels (tests/data/golden) in a
/// model folder whose preset sends three levels; every level's grid is visible from C#, and the
/// decoder gives back the same grids.
/// </summary>
public sealed class VqzCodecLevelsTests : IDisposable
{
    private readonly string models = Directory.CreateTempSubdirectory("vqz-api-levels-").FullName;

    public VqzCodecLevelsTests()
    {
        foreach (var name in new[] { "tiny-levels.vqm", "tiny-levels-gated.vqp", "tiny-levels.vql" })
            File.Copy(Repo.Path(Path.Combine("tests/data/golden", name)), Path.Combine(models, name));
        File.WriteAllText(Path.Combine(models, "presets.json"),
            """{ "presets": [ { "quality": "max", "vqvae": "tiny-levels", "prior": "tiny-levels-gated-pixelcnn", "tileSide": 8, "levels": 3, "levelPrior": "tiny-levels-level-prior" } ] }""");
    }

    public void Dispose() => Directory.Delete(models, recursive: true);

    private byte[] Sample => File.ReadAllBytes(Repo.Path("samples/bsds-100007-256x192.png"));

    [Fact]
    public void A_three_level_file_shows_each_level_and_decodes_to_the_same_grids()
    {
        using var codec = VqzCodec.Create(models, VqzCodecOptions.Default with { Quality = VqzQuality.Max });
        var encoded = codec.Encode(Sample);
        var decoded = codec.Decode(encoded.ToArray());

        Assert.Equal(3, encoded.Levels.Count);
        Assert.All(encoded.Levels, grid => Assert.Equal(encoded.LatentWidth * encoded.LatentHeight, grid.Count));
        Assert.Equal(encoded.Levels[0], encoded.Codes);
        Assert.Equal(("tiny-levels", "tiny-levels-gated-pixelcnn", "tiny-levels-level-prior"),
            (encoded.VqVaeModel, encoded.PriorModel, encoded.LevelPriorModel));
        Assert.Equal(3, decoded.Levels.Count);
        for (int level = 0; level < 3; level++)
            Assert.Equal(encoded.Levels[level], decoded.Levels[level]);
        Assert.Equal(encoded.Reconstruction!.Levels.Count, decoded.Levels.Count);
    }

    [Fact]
    public void Levels_1_sends_one_grid_and_names_no_level_prior()
    {
        using var codec = VqzCodec.Create(models, VqzCodecOptions.Default with { Quality = VqzQuality.Max, Levels = 1 });
        var encoded = codec.Encode(Sample);

        Assert.Single(encoded.Levels);
        Assert.Null(encoded.LevelPriorModel);
        Assert.Single(codec.Decode(encoded.ToArray()).Levels);
    }
}
