using VqVae.Codec.Models.Networks;
using VqVae.Codec.Models.Quantizers;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Tests;

/// <summary>The networks of thesis chapter 6: the residual block and the default architecture.</summary>
public sealed class NetworkTests
{
    [Fact]
    public void Residual_block_is_x_plus_conv1_relu_conv3_relu_x_then_a_relu()
    {
        using var scope = NewDisposeScope();
        var stack = new ResidualStack(channels: 1, residualChannels: 1, blocks: 1);
        var weights = stack.state_dict();
        using (no_grad())
        {
            // Only the 3x3 kernel's centre is set, so the block acts on each pixel alone.
            weights["conv3.0.weight"].zero_()[0, 0, 1, 1] = tensor(-1f);
            weights["conv1.0.weight"].fill_(2f);
        }
        var x = tensor(new float[] { 2, -1 }).reshape(1, 1, 1, 2);
        var y = TinyCodebook.Row(stack.forward(x).reshape(-1));
        // v = 2:  relu(2 + 2 relu(-1 * relu(2)))  = relu(2 + 0) = 2  (without the inner ReLU: relu(2 - 4) = 0).
        // v = -1: relu(-1 + 2 relu(-1 * relu(-1))) = relu(-1 + 0) = 0 (without the first ReLU: relu(-1 + 2) = 1;
        //         without the last ReLU: -1).
        Assert.Equal(new double[] { 2, 0 }, y);
    }

    [Fact]
    public void Default_architecture_is_chapter_6_with_the_reference_notebooks_channels()
    {
        var a = new VqVaeArchitecture();
        // Chapter 6: two 4x4 stride-2 convolutions (downsampling 4), two residual blocks, 512 prototypes of 64
        // dimensions. 128 hidden and 32 residual channels are the VQ-VAE reference notebook's (the thesis gives none).
        Assert.Equal((128, 32, 2, 64, 512, 4, 2, 3),
            (a.HiddenChannels, a.ResidualChannels, a.ResidualBlocks, a.LatentDim, a.CodebookSize, a.Downsampling, a.StridedLayers, a.ImageChannels));
    }

    [Fact]
    public void Default_network_has_the_layer_shapes_of_chapter_6()
    {
        using var scope = NewDisposeScope();
        using var network = new VqVaeNetwork(new VqVaeArchitecture(), new QuantizerOptions());
        var shapes = network.state_dict().ToDictionary(p => p.Key, p => p.Value.shape);
        // Encoder: 3 -> 64 -> 128 channels by 4x4 stride-2 convolutions, a 3x3 convolution, residual blocks of
        // 128 -> 32 (3x3) -> 128 (1x1), a 1x1 projection to 64; the codebook 512 x 64; the decoder mirrors it.
        Assert.Equal(new long[] { 64, 3, 4, 4 }, shapes["encoder.down.0.weight"]);
        Assert.Equal(new long[] { 128, 64, 4, 4 }, shapes["encoder.down.1.weight"]);
        Assert.Equal(new long[] { 128, 128, 3, 3 }, shapes["encoder.conv3.weight"]);
        Assert.Equal(new long[] { 32, 128, 3, 3 }, shapes["encoder.residual.conv3.1.weight"]);
        Assert.Equal(new long[] { 128, 32, 1, 1 }, shapes["encoder.residual.conv1.1.weight"]);
        Assert.Equal(new long[] { 64, 128, 1, 1 }, shapes["encoder.project.weight"]);
        Assert.Equal(new long[] { 512, 64 }, shapes["quantizer.prototypes"]);
        Assert.Equal(new long[] { 128, 64, 3, 3 }, shapes["decoder.conv3.weight"]);
        Assert.Equal(new long[] { 128, 64, 4, 4 }, shapes["decoder.up.0.weight"]);   // ConvTranspose2d: [in, out, k, k]
        Assert.Equal(new long[] { 64, 3, 4, 4 }, shapes["decoder.up.1.weight"]);
        Assert.False(shapes.ContainsKey("encoder.residual.conv3.2.weight"));          // two blocks, no third
    }
}
