using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VqVae.Codec.Models;

/// <summary>
/// Configures libtorch's native libraries before their first use. oneDNN's AVX-512 convolution backward
/// kernels (libtorch-cpu 2.10, TorchSharp 0.107) give non-finite input gradients at random on this
/// project's AVX-512 CPU: a 6-step training of the tiny test network had NaN gradients in 51 of 60 runs
/// with 2 threads and about 1 in 60 with 1 thread (the Models tests' "loss became NaN at step 2" and
/// libtorch Scalar errors), and 0 of 60 / 0 of 100 with oneDNN held to AVX2 (DNNL_MAX_CPU_ISA=AVX2).
/// Forward passes were not affected (0 of 60). (The libtorch Scalar errors had a second cause, found later:
/// TorchSharp's temporary Scalars freed by the finalizer while libtorch read them; see ScalarLifetimes.)
/// oneDNN reads the variable from the native environment at
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

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int parameter, int value);

    private const int MTrimThreshold = -1, MTopPad = -2, MMmapThreshold = -3;

    /// <summary>glibc's largest mmap threshold on 64-bit systems (32 MiB): blocks up to this size come from the heap.</summary>
    public const int MmapThresholdBytes = 32 << 20;

    /// <summary>
    /// Lets glibc's malloc keep freed blocks of up to 32 MiB (and up to 1 GiB of free heap) for reuse,
    /// instead of returning each to the kernel and having the next one zero-filled page by page. libtorch
    /// allocates every tensor anew, so with glibc's defaults a folder of thumbnails spent about a fifth of
    /// `vqz compress`'s CPU time in page faults (perf, 2026-12-07; 18 % less wall time with this). A process
    /// setting, so the library never calls it on its own: the `vqz` tool does at start, and a program that
    /// codes many images may. Returns whether glibc took the settings (false elsewhere).
    /// </summary>
    public static bool TuneAllocatorForThroughput()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return MallOpt(MMmapThreshold, MmapThresholdBytes) == 1
                   & MallOpt(MTrimThreshold, 1 << 30) == 1
                   & MallOpt(MTopPad, 64 << 20) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;   // not glibc: its allocator keeps its own policy
        }
    }

    /// <summary>
    /// Loads libtorch's native libraries on a thread-pool thread (about 0.4 s of one core on the 2-core
    /// machine, 2026-12-07), so that a command opens its model catalogue and reads its first images
    /// meanwhile instead of before; the first torch call on another thread waits for the load to finish.
    /// </summary>
    public static Task PreloadTorch() => Task.Run(() => TorchSharp.torch.get_num_threads());

#pragma warning disable CA2255 // a module initializer is the one place that runs before any of this assembly's torch calls
    [ModuleInitializer]
    internal static void OnLoad() => Configure();
#pragma warning restore CA2255
}
