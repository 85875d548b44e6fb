using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using VqVae.Codec.Models.Data;
using VqVae.Codec.Models.Files;
using VqVae.Codec.Models.Priors;

namespace VqVae.Codec.Tool.Commands;

/// <summary>Code grids of a data set under a VQ-VAE, encoded once and cached in ~/.cache/vqz/codes.</summary>
internal static class CodeGridCache
{
    public static CodeGridSet? Load(VqVaeModel vqvae, DataOptions data, ParseResult p, TextWriter log, CancellationToken cancel)
    {
        var path = p.GetValue(data.Path);
        if (path is null) return null;
        var selection = data.Selection(p);
        var full = Path.GetFullPath(path);
        var info = new FileInfo(full);
        var stamp = info.Exists ? $"{info.Length}:{info.LastWriteTimeUtc.Ticks}" : $"dir:{Directory.GetLastWriteTimeUtc(full).Ticks}";
        var key = $"{Convert.ToHexStringLower(vqvae.Digest)}|{full}|{stamp}|{selection.Limit}|{selection.PerFolder}";
        var file = Path.Combine(DecodedCacheRoot(), "codes", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 12)) + ".bin");
        if (CodeGridSet.TryLoad(file, vqvae.Digest) is { } cached) return cached;
        log.WriteLine($"encoding {path} to code grids with {vqvae.Name} ...");
        var images = data.Load(p, cancel)!;
        var set = CodeGridSet.Encode(vqvae.Network, vqvae.Digest, images, cancel: cancel);
        try { set.Save(file); } catch (IOException) { }
        return set;
    }

    private static string DecodedCacheRoot()
    {
        var root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(root)) root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "vqz");
    }
}
