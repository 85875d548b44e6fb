using System.Security.Cryptography;
using System.Text;
using VqVae.Codec.Models.Files;

namespace VqVae.Codec.Models.Data;

/// <summary>
/// Decoded pixels of a data set on disk, keyed by the source's path, size and modification time and the
/// selection, so a second training run starts in seconds instead of decoding 50,000 JPEGs again.
/// </summary>
public sealed class DecodedCache(string directory)
{
    private static readonly byte[] Magic = "VQZDSET1"u8.ToArray();

    /// <summary>The default location: $XDG_CACHE_HOME/vqz or ~/.cache/vqz.</summary>
    public static DecodedCache Default()
    {
        var root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(root)) root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return new DecodedCache(Path.Combine(root, "vqz", "decoded"));
    }

    private string FileFor(string path, ImageSelection selection)
    {
        var full = Path.GetFullPath(path);
        var info = new FileInfo(full);
        string stamp = info.Exists ? $"{info.Length}:{info.LastWriteTimeUtc.Ticks}" : $"dir:{Directory.GetLastWriteTimeUtc(full).Ticks}";
        var key = $"{full}|{stamp}|{selection.Limit}|{selection.PerFolder}";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 12));
        return Path.Combine(directory, hash + ".bin");
    }

    /// <summary>The cached data set, or null when absent or unreadable.</summary>
    public ImageDataset? TryLoad(string path, ImageSelection selection)
    {
        var file = FileFor(path, selection);
        if (!File.Exists(file)) return null;
        try
        {
            using var reader = new BinaryReader(File.OpenRead(file));
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) return null;
            int count = reader.ReadInt32();
            var images = new RgbImage[count];
            var names = new string[count];
            for (int i = 0; i < count; i++)
            {
                names[i] = reader.ReadString();
                int w = reader.ReadInt32(), h = reader.ReadInt32(), channels = reader.ReadByte(), bits = reader.ReadByte();
                images[i] = new RgbImage(w, h, reader.ReadBytes(w * h * 3)) { SourceChannels = channels, SourceBitsPerChannel = bits };
            }
            return new ImageDataset(images, names);
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Writes the data set to the cache (atomically; failures only cost the next run time).</summary>
    public void Store(string path, ImageSelection selection, ImageDataset dataset)
    {
        try
        {
            using var stream = new MemoryStream();
            using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(Magic);
                writer.Write(dataset.Count);
                for (int i = 0; i < dataset.Count; i++)
                {
                    var image = dataset.Images[i];
                    writer.Write(dataset.Names[i]);
                    writer.Write(image.Width);
                    writer.Write(image.Height);
                    writer.Write((byte)image.SourceChannels);
                    writer.Write((byte)image.SourceBitsPerChannel);
                    writer.Write(image.Pixels);
                }
            }
            AtomicFile.Write(FileFor(path, selection), stream.GetBuffer().AsSpan(0, (int)stream.Length));
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
