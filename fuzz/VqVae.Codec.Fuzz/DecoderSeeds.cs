namespace VqVae.Codec.Fuzz;

/// <summary>Small seed inputs for the decoder target: each mode (alphabet choice, counts or logits,
/// direct or grid) with a short payload of zeros, of 0xFF, and of mixed bytes.</summary>
internal static class DecoderSeeds
{
    public static void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        byte[][] payloads = [[], [0, 0, 0, 0, 0, 0], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF], [0x12, 0x9A, 0x3C, 0x7F, 0x80, 0x01, 0xE4, 0x55, 0x20, 0x00, 0x61]];
        byte[] modes = [0x07, 0x01, 0x03, 0x27, 0x17, 0xC7, 0xE7, 0x02, 0x05, 0x00];
        int n = 0;
        foreach (var mode in modes)
            foreach (var payload in payloads)
            {
                // mode, alphabet/table parameters, symbol count, then the payload.
                byte[] parameters = [mode, 0x1F, 0x03, 0x05, 0x10, 0x80, 0x01, 0x40, 0x07, 0x11, 0x29, 0x33, 0x06, 0x05, 0x30, 0x00];
                File.WriteAllBytes(Path.Combine(directory, $"seed-{n++:D3}"), [.. parameters, .. payload]);
            }
    }
}
