using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VqVae.Codec.Models;

/// <summary>
/// Configures libtorch's native libraries before their first use. oneDNN's AVX-512 convolution backward
/// kernels (libtorch-cpu 2.10, TorchSharp 0.107) give non-finite input gradients at random on this
/// project's AVX-512 CPU: a 6-step training of the tiny test network had NaN gradients in 51 of 60 runs
/// with 2 threads and about 1 in 60 with 1 thread (the Models tests' "loss became NaN at step 2" and
/// libtorch Scalar errors), and 0 of 60 / 0 of 100 with oneDNN held to AVX2 (DNNL_MAX_CPU_ISA=AVX2).
/// Forward passes were not affected (0 of 60). oneDNN reads the variable from the native environment at
/// its first primitive, so it is set with libc's setenv when this assembly loads; a value the user set
/// is kept (overwrite 0).
/// </summary>
public static class NativeRuntime
{
    /// <summary>The oneDNN instruction-set cap applied unless the environment already names one.</summary>
    public const string OneDnnMaxIsa = "AVX2";

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv(string name, string value, int overwrite);

    /// <summary>Sets DNNL_MAX_CPU_ISA in the native environment (Linux and macOS; elsewhere nothing).</summary>
    public static void Configure()
    {
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())) return;
        try
        {
            SetEnv("DNNL_MAX_CPU_ISA", OneDnnMaxIsa, 0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No libc to call: oneDNN keeps its own choice.
        }
    }

#pragma warning disable CA2255 // a module initializer is the one place that runs before any of this assembly's torch calls
    [ModuleInitializer]
    internal static void OnLoad() => Configure();
#pragma warning restore CA2255
}
