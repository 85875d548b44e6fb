namespace VqVae.Codec.Tool.Commands;

/// <summary>Expands command-line inputs (files and folders) and chooses output paths.</summary>
internal static class InputFiles
{
    /// <summary>Files as given, and the matching files under each folder (recursively, in name order).</summary>
    public static List<string> Expand(IEnumerable<string> inputs, Func<string, bool> wanted)
    {
        var result = new List<string>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
                result.AddRange(Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories).Where(wanted).Order(StringComparer.Ordinal));
            else if (File.Exists(input))
                result.Add(input);
            else
                throw new FileNotFoundException($"no such file or folder: {input}", input);
        }
        return result;
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
}
