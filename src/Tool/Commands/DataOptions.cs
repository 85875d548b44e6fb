using System.CommandLine;
using VqVae.Codec.Models.Data;

namespace VqVae.Codec.Tool.Commands;

/// <summary>The options that choose a data set: a file, folder or .tar, and which of its images.</summary>
internal sealed class DataOptions
{
    public DataOptions(string prefix, string description, bool required)
    {
        Path = new Option<string>($"--{prefix}data") { Description = description, Required = required };
        Limit = new Option<int?>($"--{prefix}limit") { Description = "Take at most N images (after --per-folder)." };
        PerFolder = new Option<int?>($"--{prefix}per-folder")
        {
            Description = "Take the first N images of each folder in name order (100 on CIFAR-10 test = the test-1000 subset).",
        };
    }

    public Option<string> Path { get; }
    public Option<int?> Limit { get; }
    public Option<int?> PerFolder { get; }

    public void AddTo(Command command)
    {
        command.Options.Add(Path);
        command.Options.Add(Limit);
        command.Options.Add(PerFolder);
    }

    public ImageSelection Selection(ParseResult p) => new() { Limit = p.GetValue(Limit), PerFolder = p.GetValue(PerFolder) };

    /// <summary>Loads the selected images (decoded cache in ~/.cache/vqz), or null when the path option is absent.</summary>
    public ImageDataset? Load(ParseResult p, CancellationToken cancel)
    {
        var path = p.GetValue(Path);
        return path is null ? null : ImageDataset.Load(path, Selection(p), DecodedCache.Default(), cancel);
    }
}
