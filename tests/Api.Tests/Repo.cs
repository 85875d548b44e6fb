using System.Runtime.CompilerServices;

namespace VqVae.Codec.Api.Tests;

/// <summary>Files of the repository (samples/), found from this source file's place.</summary>
internal static class Repo
{
    public static string Path(string relative, [CallerFilePath] string here = "") =>
        System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(here)!, "..", "..", relative));
}

/// <summary>One default codec for the tests of a class (the models load once).</summary>
public sealed class DefaultCodec : IDisposable
{
    public VqzCodec Codec { get; } = VqzCodec.CreateDefault();

    public void Dispose() => Codec.Dispose();
}
