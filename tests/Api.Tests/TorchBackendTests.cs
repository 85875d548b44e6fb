using System.Diagnostics;

namespace VqVae.Codec.Api.Tests;

/// <summary>
/// The GPU switch: <c>-p:TorchBackend=cuda</c> really selects TorchSharp's CUDA package (checked by
/// evaluating the project, which needs no restore: the CUDA packages are not served here), an unknown
/// backend is a build error, and the CPU build refuses <see cref="VqzDevice.Cuda"/> with a message
/// naming the switch. Everything up to the device choice runs on the CPU.
/// </summary>
public sealed class TorchBackendTests
{
    private static readonly string ModelsProject = Repo.Path("src/Models/VqVae.Codec.Models.csproj");

    private static (int Code, string Output) Msbuild(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "msbuild", ModelsProject, "-nologo" }.Concat(args))
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result + error.Result);
    }

    [Fact]
    public void The_default_backend_references_TorchSharp_cpu()
    {
        var (code, output) = Msbuild("-getItem:PackageReference");
        Assert.Equal(0, code);
        Assert.Contains("\"TorchSharp-cpu\"", output);
        Assert.DoesNotContain("TorchSharp-cuda", output);
    }

    [Fact]
    public void TorchBackend_cuda_references_the_CUDA_package_of_the_platform()
    {
        var (code, output) = Msbuild("-getItem:PackageReference", "-p:TorchBackend=cuda");
        Assert.Equal(0, code);
        Assert.Contains(OperatingSystem.IsWindows() ? "\"TorchSharp-cuda-windows\"" : "\"TorchSharp-cuda-linux\"", output);
        Assert.DoesNotContain("\"TorchSharp-cpu\"", output);
    }

    [Fact]
    public void An_unknown_backend_is_a_build_error_naming_the_choices()
    {
        var (code, output) = Msbuild("-t:VqzCheckTorchBackend", "-p:TorchBackend=rocm");
        Assert.NotEqual(0, code);
        Assert.Contains("TorchBackend='rocm' is not a backend: use cpu (the default) or cuda.", output);
    }

    [Fact]
    public void The_cpu_build_refuses_the_cuda_device_with_a_message_naming_the_switch()
    {
        using var codec = VqzCodec.CreateDefault(new VqzCodecOptions { Device = VqzDevice.Cuda });
        var error = Assert.Throws<NotSupportedException>(() => codec.Compress(File.ReadAllBytes(Repo.Path("samples/cifar10-test-cat-0000.png"))));
        Assert.Contains("-p:TorchBackend=cuda", error.Message);
    }
}
