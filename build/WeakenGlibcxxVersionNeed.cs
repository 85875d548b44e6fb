// MSBuild inline task (RoslynCodeTaskFactory): see TorchSharpNativeFix.targets for why it exists.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class WeakenGlibcxxVersionNeed : Task
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;
    const string TargetLibrary = "libLibTorchSharp.so";

    static readonly string[] LibStdCxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
    };

    [Required] public string Directory { get; set; } = "";
    [Required] public string Version { get; set; } = "";
    /// <summary>Patch even where this machine's libstdc++ has the version: for outputs that are
    /// deployed elsewhere (publish, tool packages). A weak version that exists is checked as usual.</summary>
    public bool Always { get; set; }

    public override bool Execute()
    {
        if (!System.IO.Directory.Exists(Directory)) return true;
        var targets = System.IO.Directory.GetFiles(Directory, TargetLibrary, SearchOption.AllDirectories);
        if (targets.Length == 0) return true;
        if (!Always && SystemProvides(Version))
        {
            Log.LogMessage(MessageImportance.Low, $"libstdc++ provides {Version}: {TargetLibrary} needs no patch.");
            return true;
        }
        foreach (var path in targets)
        {
            try
            {
                var outcome = Patch(path, Version);
                Log.LogMessage(MessageImportance.Normal, $"{path}: {outcome}");
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                Log.LogWarning($"Could not weaken {Version} in {path}: {e.Message}");
            }
        }
        return !Log.HasLoggedErrors;
    }

    static bool SystemProvides(string version)
    {
        var needle = Encoding.ASCII.GetBytes(version + "\0");
        foreach (var candidate in LibStdCxxCandidates)
        {
            if (!File.Exists(candidate)) continue;
            var bytes = File.ReadAllBytes(candidate);
            return IndexOf(bytes, needle) >= 0;
        }
        return true; // no libstdc++ where we know to look: leave the library as shipped
    }

    /// <summary>Sets VER_FLG_WEAK on the Elf64_Vernaux entry named <paramref name="version"/>.</summary>
    static string Patch(string path, string version)
    {
        var elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("not a little-endian ELF64 file");

        ulong shoff = U64(elf, 0x28);
        int shentsize = U16(elf, 0x3A), shnum = U16(elf, 0x3C);
        for (int i = 0; i < shnum; i++)
        {
            int sh = Checked(elf, shoff + (ulong)(i * shentsize), 64);
            if (U32(elf, sh + 4) != ShtGnuVerneed) continue;
            int link = (int)U32(elf, sh + 0x28);
            int dynstr = Checked(elf, U64(elf, Checked(elf, shoff + (ulong)(link * shentsize), 64) + 0x18), 1);
            int verneed = Checked(elf, U64(elf, sh + 0x18), 16);
            for (int need = verneed; ;)
            {
                int count = U16(elf, need + 2);
                int aux = Checked(elf, (ulong)need + U32(elf, need + 8), 16);
                for (int a = 0; a < count; a++)
                {
                    string name = CString(elf, Checked(elf, (ulong)dynstr + U32(elf, aux + 8), 1));
                    if (name == version)
                    {
                        ushort flags = U16(elf, aux + 4);
                        if ((flags & VerFlgWeak) != 0) return $"{version} already weak";
                        flags |= VerFlgWeak;
                        elf[aux + 4] = (byte)flags;
                        elf[aux + 5] = (byte)(flags >> 8);
                        var temp = path + ".patching";
                        File.WriteAllBytes(temp, elf);
                        File.Replace(temp, path, null); // rename over the original: atomic
                        return $"marked {version} weak at offset {aux + 4}";
                    }
                    uint next = U32(elf, aux + 12);
                    if (next == 0) break;
                    aux = Checked(elf, (ulong)aux + next, 16);
                }
                uint nextNeed = U32(elf, need + 12);
                if (nextNeed == 0) break;
                need = Checked(elf, (ulong)need + nextNeed, 16);
            }
            return $"no version need {version}";
        }
        return "no .gnu.version_r section";
    }

    static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }

    static int Checked(byte[] b, ulong offset, int length) =>
        offset + (ulong)length <= (ulong)b.Length ? (int)offset : throw new InvalidDataException($"offset {offset} out of range");
    static ushort U16(byte[] b, int o) => (ushort)(b[o] | b[o + 1] << 8);
    static uint U32(byte[] b, int o) => (uint)(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24);
    static ulong U64(byte[] b, int o) => U32(b, o) | (ulong)U32(b, o + 4) << 32;
    static string CString(byte[] b, int o)
    {
        int end = Array.IndexOf(b, (byte)0, o);
        return Encoding.ASCII.GetString(b, o, (end < 0 ? b.Length : end) - o);
    }
}
