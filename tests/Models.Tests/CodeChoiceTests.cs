using VqVae.Codec.Models.Networks;
using VqVae.Codec.Models.Quantizers;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Tests;

/// <summary>Entropy-constrained code choice (docs/levels.md §4.5): hand-checked cases and the residual levels it feeds.</summary>
public sealed class CodeChoiceTests
{
    // One image, 4 latents, 2 codes: three latents sit on code 0 (distance 0.1; 5 to code 1), the fourth is
    // a little nearer code 1 (1.0) than code 0 (1.1). Nearest codes 0, 0, 0, 1: counts 3, 1, so with the
    // +1/2 estimate p = 3.5/5, 1.5/5 and l = 0.515, 1.737 bits; the mean nearest distance is 0.325.
    private static readonly float[,] OneImage = { { 0.1f, 5 }, { 0.1f, 5 }, { 0.1f, 5 }, { 1.1f, 1.0f } };

    private static Tensor Distances(params float[][,] images)
    {
        var all = images.Select(d => tensor(d).unsqueeze(0)).ToArray();
        return cat(all, 0);
    }

    private static long[] Codes(Tensor t) => t.reshape(-1).data<long>().ToArray();

    [Fact]
    public void Nearest_is_the_thesis_gamma_the_argmin_of_the_distances()
    {
        using var scope = NewDisposeScope();
        Assert.True(CodeChoice.Nearest.IsNearest);
        Assert.Equal(new long[] { 0, 0, 0, 1 }, Codes(CodeChoice.Nearest.Choose(Distances(OneImage))));
        Assert.Equal(new long[] { 0, 0, 0, 1 }, Codes(CodeChoice.EntropyConstrained(0).Choose(Distances(OneImage))));
    }

    [Fact]
    public void A_latent_moves_to_the_cheaper_code_only_when_the_bits_it_saves_are_worth_its_extra_distance()
    {
        using var scope = NewDisposeScope();
        // lambda = 1: costs 1.1 + 0.325 * 0.515 = 1.267 for code 0 and 1.0 + 0.325 * 1.737 = 1.565 for code 1: code 0.
        Assert.Equal(new long[] { 0, 0, 0, 0 }, Codes(CodeChoice.EntropyConstrained(1).Choose(Distances(OneImage))));
        // lambda = 0.1: 1.1 + 0.0167 = 1.117 against 1.0 + 0.0565 = 1.056: it stays on code 1.
        Assert.Equal(new long[] { 0, 0, 0, 1 }, Codes(CodeChoice.EntropyConstrained(0.1).Choose(Distances(OneImage))));
    }

    [Fact]
    public void Each_image_of_a_batch_is_priced_by_its_own_code_frequencies()
    {
        using var scope = NewDisposeScope();
        // The second image is mostly code 1, so its ambiguous latent (nearer code 0) is pulled to code 1,
        // while the first image's (nearer code 1) is pulled to code 0.
        float[,] mostlyOne = { { 5, 0.1f }, { 5, 0.1f }, { 5, 0.1f }, { 1.0f, 1.1f } };
        var codes = CodeChoice.EntropyConstrained(1).Choose(Distances(OneImage, mostlyOne));
        Assert.Equal(new long[] { 2, 4 }, codes.shape);
        Assert.Equal(new long[] { 0, 0, 0, 0, 1, 1, 1, 1 }, Codes(codes));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(CodeChoice.MaxRateLambda + 1)]
    public void A_rate_weight_out_of_range_is_refused(double lambda) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CodeChoice.EntropyConstrained(lambda));

    [Fact]
    public void Every_level_chooses_its_codes_and_the_next_level_codes_what_the_chosen_codes_left()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        var a = TrainingTests.Tiny with
        {
            Levels = [new ResidualLevelArchitecture { Dim = 4, CodebookSize = 16 }],
        };
        using var network = new VqVaeNetwork(a, new QuantizerOptions { Kind = QuantizerKind.KMeans, InitFromEncoder = false });
        network.eval();
        var z = randn(2, 8, 6, 6);
        var choice = CodeChoice.EntropyConstrained(2);
        var grids = network.LatentsToLevels(z, 2, choice);
        Assert.True(grids[0].eq(network.Quantizer.Encode(z, choice)).all().item<bool>());
        var r2 = z - network.Quantizer.Decode(grids[0]);
        Assert.True(grids[1].eq(network.FurtherLevels[0].Encode(r2, choice)).all().item<bool>());
        // The rate term concentrates each image's codes: never more distinct codes than the nearest choice uses.
        var nearest = network.LatentsToLevels(z, 2);
        for (int b = 0; b < 2; b++)
            for (int l = 0; l < 2; l++)
                Assert.True(grids[l][b].unique().Item1.shape[0] <= nearest[l][b].unique().Item1.shape[0]);
        Assert.False(grids[0].eq(nearest[0]).all().item<bool>());                // lambda = 2 does move codes here
        // lambda = 0 is the nearest prototype at every level.
        var zero = network.LatentsToLevels(z, 2, CodeChoice.EntropyConstrained(0));
        for (int l = 0; l < 2; l++) Assert.True(zero[l].eq(nearest[l]).all().item<bool>());
    }
}
