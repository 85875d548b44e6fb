using System.Formats.Tar;

namespace VqVae.Codec.Models.Data;

/// <summary>An image to be read: its name (path or archive entry) and a way to get its bytes.</summary>
public sealed record ImageEntry(string Name, byte[] Bytes);

/// <summary>Which images of a folder or tar to take.</summary>
public sealed record ImageSelection
{
    /// <summary>Take at most this many images in all (after <see cref="PerFolder"/>); null takes all.</summary>
    public int? Limit { get; init; }

    /// <summary>
    /// Take the first N images, in file-name order, of each folder: with 100 on CIFAR-10 test this is the
    /// standard test-1000 subset (../data/cifar10/README.md), not the first 1,000 files (all airplanes).
    /// </summary>
    public int? PerFolder { get; init; }
}

/// <summary>Lists the images of a single file, a folder (recursively) or a .tar archive, in name order.</summary>
public static class ImageSource
{
    /// <summary>Reads the selected images' bytes from <paramref name="path"/>.</summary>
    public static List<ImageEntry> Read(string path, ImageSelection selection)
    {
        var entries = path.EndsWith(".tar", StringComparison.OrdinalIgnoreCase) ? FromTar(path)
            : Directory.Exists(path) ? FromFolder(path)
            : File.Exists(path) ? [new ImageEntry(path, File.ReadAllBytes(path))]
            : throw new FileNotFoundException($"no image, folder or .tar at {path}", path);
        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        IEnumerable<ImageEntry> chosen = entries;
        if (selection.PerFolder is int n)
            chosen = chosen.GroupBy(e => FolderOf(e.Name)).OrderBy(g => g.Key, StringComparer.Ordinal).SelectMany(g => g.Take(n));
        if (selection.Limit is int limit) chosen = chosen.Take(limit);
        return chosen.ToList();
    }

    private static string FolderOf(string name)
    {
        int slash = name.LastIndexOf('/');
        return slash < 0 ? "" : name[..slash];
    }

    private static List<ImageEntry> FromFolder(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(ImageCodecs.IsImageName)
            .Select(f => new ImageEntry(Path.GetRelativePath(folder, f).Replace('\\', '/'), File.ReadAllBytes(f)))
            .ToList();

    private static List<ImageEntry> FromTar(string tarPath)
    {
        var result = new List<ImageEntry>();
        using var stream = File.OpenRead(tarPath);
        using var reader = new TarReader(stream);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null) continue;
            if (!ImageCodecs.IsImageName(entry.Name)) continue;
            if (entry.Length > 256L << 20)
                throw new ImageDecodeException($"{tarPath}:{entry.Name}", $"entry of {entry.Length} bytes is larger than the 256 MiB limit");
            var bytes = new byte[entry.Length];
            entry.DataStream.ReadExactly(bytes);
            result.Add(new ImageEntry(entry.Name, bytes));
        }
        return result;
    }
}
