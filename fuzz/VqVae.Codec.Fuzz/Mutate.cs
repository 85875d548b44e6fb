using System.Buffers.Binary;
using System.Diagnostics;

namespace VqVae.Codec.Fuzz;

/// <summary>
/// Without AFL++: runs a target in process on each seed, then on random mutations of the seeds (bit flips,
/// random and boundary bytes, inserted, deleted and repeated runs, truncation, splices of two seeds), a fixed
/// random seed so that a run can be repeated. Half the mutations of a PNG get their chunk CRCs recomputed, so that
/// they reach the decoder and not only the CRC check. No coverage feedback: a smoke test, not a fuzzing campaign.
/// An input whose outcome is not clean is written to the given folder and counted; the exit code is 1 if any was.
/// </summary>
internal static class Mutate
{
    private static readonly byte[] Boundary = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE, 0x10, 0x40];

    public static int Run(Action<byte[]> target, string seedFolder, int count, string crashFolder)
    {
        var seeds = Directory.GetFiles(seedFolder).Order().Select(File.ReadAllBytes).Where(s => s.Length > 0).ToArray();
        if (seeds.Length == 0)
        {
            Console.Error.WriteLine($"no seeds in {seedFolder}");
            return 2;
        }
        var random = new Random(20261207);
        int crashes = 0, ran = 0;
        var clock = Stopwatch.StartNew();
        double slowest = 0;
        foreach (var input in seeds.Concat(Enumerable.Range(0, count).Select(_ => Mutated(random, seeds))))
        {
            var one = Stopwatch.StartNew();
            try
            {
                target(input);
            }
            catch (Exception e)
            {
                Directory.CreateDirectory(crashFolder);
                var path = Path.Combine(crashFolder, $"crash-{ran:D6}-{e.GetType().Name}");
                File.WriteAllBytes(path, input);
                Console.WriteLine($"CRASH {path}: {e.GetType().Name}: {e.Message}");
                crashes++;
            }
            slowest = Math.Max(slowest, one.Elapsed.TotalMilliseconds);
            ran++;
        }
        Console.WriteLine($"{ran} input(s) ({seeds.Length} seeds, {count} mutations) in {clock.Elapsed.TotalSeconds:F1} s, slowest {slowest:F0} ms, {crashes} crash(es)");
        return crashes == 0 ? 0 : 1;
    }

    private static byte[] Mutated(Random random, byte[][] seeds)
    {
        var data = new List<byte>(seeds[random.Next(seeds.Length)]);
        int edits = 1 + random.Next(random.Next(2) == 0 ? 2 : 16);
        for (int e = 0; e < edits && data.Count > 0; e++)
        {
            int at = random.Next(data.Count);
            switch (random.Next(8))
            {
                case 0: data[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: data[at] = (byte)random.Next(256); break;
                case 2: data[at] = Boundary[random.Next(Boundary.Length)]; break;
                case 3: data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(16))); break;
                case 4: data.InsertRange(at, Enumerable.Range(0, 1 + random.Next(16)).Select(_ => (byte)random.Next(256))); break;
                case 5:
                    int from = random.Next(data.Count), length = Math.Min(data.Count - from, 1 + random.Next(64));
                    data.InsertRange(at, data.GetRange(from, length));
                    break;
                case 6: data.RemoveRange(at, data.Count - at); break;
                default:
                    var other = seeds[random.Next(seeds.Length)];
                    int start = random.Next(other.Length);
                    data.RemoveRange(at, data.Count - at);
                    data.AddRange(other.AsSpan(start).ToArray());
                    break;
            }
        }
        var bytes = data.ToArray();
        if (random.Next(2) == 0) FixPngChecksums(bytes);
        return bytes;
    }

    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Recomputes the CRC-32 of every whole chunk of a PNG (length, type, data, CRC).</summary>
    private static void FixPngChecksums(byte[] png)
    {
        if (!png.AsSpan().StartsWith(PngSignature)) return;
        int at = 8;
        while (at + 12 <= png.Length)
        {
            long length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at));
            if (length > png.Length - at - 12) return;
            int end = at + 8 + (int)length;
            BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(end), Crc32(png.AsSpan(at + 4, 4 + (int)length)));
            at = end + 4;
        }
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320 & (uint)-(int)(crc & 1));
        }
        return ~crc;
    }
}
