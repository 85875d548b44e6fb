[assembly: CollectionBehavior(DisableTestParallelization = true)] // TorchSharp RNG and thread count are process-global
