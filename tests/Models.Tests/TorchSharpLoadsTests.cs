using TorchSharp;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Tests;

public sealed class TorchSharpLoadsTests
{
    [Fact]
    public void Native_library_loads_and_a_tensor_operation_runs()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        using var b = a.matmul(a);
        Assert.Equal(new float[] { 7, 10, 15, 22 }, b.data<float>().ToArray());
    }

    [Fact]
    public void A_convolution_trains_one_step()
    {
        using var scope = NewDisposeScope();
        var conv = nn.Conv2d(3, 4, 3, padding: 1);
        var opt = optim.Adam(conv.parameters(), 1e-2);
        var x = randn(2, 3, 8, 8);
        var before = conv.forward(x).square().mean().item<float>();
        for (int i = 0; i < 5; i++)
        {
            opt.zero_grad();
            var loss = conv.forward(x).square().mean();
            loss.backward();
            opt.step();
        }
        var after = conv.forward(x).square().mean().item<float>();
        Assert.True(after < before, $"loss did not fall: {before} -> {after}");
    }
}
