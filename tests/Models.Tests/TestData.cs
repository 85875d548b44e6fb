using VqVae.Codec.Models.Data;

namespace VqVae.Codec.Models.Tests;

/// <summary>Small images committed under tests/data (a clone has no ../shared).</summary>
internal static class TestData
{
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "tests", "data"))) dir = dir.Parent;
            return dir is null ? throw new DirectoryNotFoundException("tests/data not found above " + AppContext.BaseDirectory)
                               : Path.Combine(dir.FullName, "tests", "data");
        }
    }

    /// <summary>A file of the repository's samples/ folder.</summary>
    public static string Sample(string name) => Path.Combine(Root, "..", "..", "samples", name);

    /// <summary>200 CIFAR-10 train images, the first 20 of each class, as JPEG in a tar.</summary>
    public static string CifarTrainTar => Path.Combine(Root, "cifar10", "train-200.tar");

    /// <summary>100 CIFAR-10 test images, the first 10 of each class.</summary>
    public static string CifarTestTar => Path.Combine(Root, "cifar10", "test-100.tar");

    public static ImageDataset CifarTrain(int? limit = null) => ImageDataset.Load(CifarTrainTar, new ImageSelection { Limit = limit });

    public static ImageDataset CifarTest(int? limit = null) => ImageDataset.Load(CifarTestTar, new ImageSelection { Limit = limit });

    /// <summary>A fresh temporary directory, deleted by the caller's using.</summary>
    public static TempDirectory TempDir() => new();

    public sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("vqz-test-").FullName;
        public string File(string name) => System.IO.Path.Combine(Path, name);
        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
        }
    }
}
