namespace VqVae.Codec.Tool.Tests;

/// <summary>What the training command tests share: the committed CIFAR-10 tars and the options of a tiny VQ-VAE.</summary>
internal static class TinyTraining
{
    /// <summary>A tar of tests/data/cifar10 (train-200.tar, test-100.tar).</summary>
    public static string Data(string name) => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "data", "cifar10", name));

    /// <summary>`vqz train vqvae` options of a network small enough to train in a test (K = 32, D = 8), one thread.</summary>
    public static readonly string[] Tiny = ["--hidden", "16", "--residual-channels", "8", "--latent-dim", "8", "--codebook-size", "32", "--batch", "16", "--threads", "1"];
}
