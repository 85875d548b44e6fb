using VqVae.Codec.Models.Networks;
using VqVae.Codec.Models.Quantizers;
using static TorchSharp.torch;

namespace VqVae.Codec.Models.Tests;

/// <summary>
/// oneDNN's AVX-512 convolution backward gave non-finite gradients at random on this project's CPU (51 of 60
/// three-step runs of this case with 2 threads before <see cref="NativeRuntime"/> held oneDNN to AVX2; 0 of 60
/// after): the Models tests' "loss became NaN at step 2".
/// </summary>
public sealed class NativeRuntimeTests
{
    [Fact]
    public void The_native_environment_caps_onednn_before_any_convolution()
    {
        // The native environment (what oneDNN reads), not .NET's copy of it.
        Assert.Equal(NativeRuntime.OneDnnMaxIsa, NativeEnvironment("DNNL_MAX_CPU_ISA"));
    }

    [Fact]
    public void Gradients_of_the_tiny_network_stay_finite_with_two_threads()
    {
        int threads = get_num_threads();
        set_num_threads(2);
        try
        {
            for (int run = 0; run < 20; run++)
            {
                random.manual_seed(11);
                using var network = new VqVaeNetwork(TrainingTests.Tiny, new QuantizerOptions());
                network.train();
                using var optimizer = optim.Adam(network.parameters(), 1e-3);
                using var x = rand(16, 3, 32, 32) - 0.5;
                for (int step = 0; step < 3; step++)
                {
                    using var scope = NewDisposeScope();
                    var loss = nn.functional.mse_loss(network.ForwardUnquantized(x), x);
                    optimizer.zero_grad();
                    loss.backward();
                    foreach (var (name, p) in network.named_parameters())
                        Assert.True(p.grad is null || p.grad.isfinite().all().item<bool>(), $"run {run} step {step}: non-finite gradient of {name}");
                    optimizer.step();
                }
            }
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "getenv")]
    private static extern IntPtr GetEnv(string name);

    private static string? NativeEnvironment(string name) => System.Runtime.InteropServices.Marshal.PtrToStringUTF8(GetEnv(name));
}
