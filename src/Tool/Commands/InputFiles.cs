using VqVae.Codec.Models.Files;

namespace VqVae.Codec.Tool.Commands;

/// <summary>Expands command-line inputs (files and folders), reads them, and chooses output paths.</summary>
internal static class InputFiles
{
    /// <summary>
    /// Files as given, and the matching regular files under each folder (recursively, in name order). Symbolic
    /// links are followed, but each real folder (device and inode) is walked once, so a link cycle ends.
    /// A device node, FIFO or socket named as an input is bad input; one inside a folder is skipped.
    /// </summary>
    public static List<string> Expand(IEnumerable<string> inputs, Func<string, bool> wanted)
    {
        var result = new List<string>();
        var walked = new HashSet<(ulong, ulong)>();
        foreach (var input in inputs)
        {
            var status = FileStatus.Of(input, followLinks: true);
            switch (status.Kind)
            {
                case FileKind.Directory:
                    var found = new List<string>();
                    Walk(input, status, wanted, walked, found);
                    result.AddRange(found.Order(StringComparer.Ordinal));
                    break;
                case FileKind.Regular:
                    result.Add(input);
                    break;
                case FileKind.Special:
                    throw new InputFileException(input, "is not a regular file (a device node, FIFO or socket)");
                default:
                    throw new FileNotFoundException($"no such file or folder: {input}", input);
            }
        }
        return result;
    }

    private static void Walk(string dir, FileStatus status, Func<string, bool> wanted, HashSet<(ulong, ulong)> walked, List<string> found)
    {
        if (!walked.Add((status.Device, status.Inode))) return;
        foreach (var entry in Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal))
        {
            var s = FileStatus.Of(entry, followLinks: true);
            if (s.Kind == FileKind.Directory) Walk(entry, s, wanted, walked, found);
            else if (s.Kind == FileKind.Regular && wanted(entry)) found.Add(entry);
        }
    }

    /// <summary>The bytes of the input <paramref name="path"/>: a regular file of at most <paramref name="maxBytes"/>
    /// bytes (checked before reading, so a device or a huge file is never read).</summary>
    public static byte[] Read(string path, long maxBytes)
    {
        var status = FileStatus.Of(path, followLinks: true);
        if (status.Kind == FileKind.Missing) throw new FileNotFoundException($"no such file: {path}", path);
        if (status.Kind != FileKind.Regular) throw new InputFileException(path, "is not a regular file");
        if (status.Size > maxBytes) throw new InputFileException(path, $"is {status.Size} bytes, more than the {maxBytes}-byte limit of an input");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        var bytes = new byte[Math.Min(stream.Length, maxBytes)];
        stream.ReadExactly(bytes);
        if (stream.ReadByte() >= 0) throw new InputFileException(path, "grew while it was read");
        return bytes;
    }

    /// <summary>
    /// The output of <paramref name="input"/>: -o itself for a single input that is not a folder, else a file of the
    /// input's name with <paramref name="extension"/> in the -o folder, or beside the input when -o is absent.
    /// </summary>
    public static string OutputFor(string input, string? output, bool single, string extension)
    {
        var name = Path.GetFileNameWithoutExtension(input) + extension;
        if (output is null) return Path.Combine(Path.GetDirectoryName(Path.GetFullPath(input))!, name);
        if (single && !Directory.Exists(output) && !output.EndsWith('/')) return output;
        Directory.CreateDirectory(output);
        return Path.Combine(output, name);
    }

    /// <summary>
    /// The outputs of <paramref name="files"/> (see <see cref="OutputFor"/>), refused before any work when an output
    /// is one of the inputs (it would be lost) or two inputs have one output (x.png and x.jpg, a/y.png and b/y.png).
    /// </summary>
    public static string[] OutputsFor(IReadOnlyList<string> files, string? output, bool single, string extension)
    {
        var targets = files.Select(f => OutputFor(f, output, single, extension)).ToArray();
        var inputs = files.Select(f => (File: f, Status: FileStatus.Of(f, followLinks: true))).ToArray();
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < targets.Length; i++)
        {
            var target = FileStatus.Of(targets[i], followLinks: true);
            foreach (var (file, status) in inputs)
                if (target.SameFileAs(status))
                    throw new UsageException($"the output {targets[i]} is the input {file}; choose another output (-o)");
            if (owners.TryGetValue(Key(targets[i]), out var other))
                throw new UsageException($"{other} and {files[i]} would both be written to {targets[i]}; give them separate output folders");
            owners[Key(targets[i])] = files[i];
        }
        return targets;
    }

    /// <summary>The output's folder by identity (so two spellings or links of one folder agree) and its name.</summary>
    private static string Key(string target)
    {
        var full = Path.GetFullPath(target);
        var folder = FileStatus.Of(Path.GetDirectoryName(full)!, followLinks: true);
        return folder.Kind == FileKind.Directory ? $"{folder.Device}:{folder.Inode}/{Path.GetFileName(full)}" : full;
    }
}
