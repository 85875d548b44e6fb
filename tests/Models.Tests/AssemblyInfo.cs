[assembly: CollectionBehavior(DisableTestParallelization = true)] // TorchSharp RNG and thread count are process-global

namespace VqVae.Codec.Models.Tests
{
    internal static class NativeSetup
    {
        // Tests that call TorchSharp before any Models code runs still get oneDNN's ISA cap (NativeRuntime).
#pragma warning disable CA2255
        [System.Runtime.CompilerServices.ModuleInitializer]
        internal static void OnLoad() => NativeRuntime.Configure();
#pragma warning restore CA2255
    }
}
