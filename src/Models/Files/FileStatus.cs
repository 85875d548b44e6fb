using System.Runtime.InteropServices;

namespace VqVae.Codec.Models.Files;

/// <summary>What a path names, without following a final symbolic link unless asked.</summary>
public enum FileKind
{
    /// <summary>Nothing (or a component of the path is missing).</summary>
    Missing,
    /// <summary>A regular file: the only kind vqz reads images from or replaces.</summary>
    Regular,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A symbolic link (only when links are not followed).</summary>
    SymbolicLink,
    /// <summary>A device node, FIFO or socket: never read as an input, never replaced.</summary>
    Special,
}

/// <summary>
/// The kind and identity (device, inode) of a file, from statx(2) on Linux: .NET exposes neither the file
/// type beyond file/directory nor the inode, and both are needed to refuse device nodes and FIFOs, to tell
/// that two paths are one file, and to walk folders through symbolic links without looping. statx's
/// buffer has one layout on every architecture, unlike stat's. Elsewhere, a portable approximation.
/// </summary>
public readonly record struct FileStatus(FileKind Kind, ulong Device, ulong Inode, long Size)
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const int StatxSize = 256;

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirfd, string path, int flags, uint mask, byte[] buffer);

    /// <summary>The status of <paramref name="path"/>; a final symbolic link is followed only when <paramref name="followLinks"/>.</summary>
    public static FileStatus Of(string path, bool followLinks = false)
    {
        if (OperatingSystem.IsLinux())
        {
            var buffer = new byte[StatxSize];
            if (Statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
                return new FileStatus(FileKind.Missing, 0, 0, 0);
            // struct statx: stx_mode u16 at 28, stx_ino u64 at 32, stx_size u64 at 40, stx_dev_major/minor u32 at 136/140.
            int mode = BitConverter.ToUInt16(buffer, 28);
            var kind = (mode & 0xF000) switch
            {
                0x8000 => FileKind.Regular,
                0x4000 => FileKind.Directory,
                0xA000 => FileKind.SymbolicLink,
                _ => FileKind.Special,
            };
            ulong device = (ulong)BitConverter.ToUInt32(buffer, 136) << 32 | BitConverter.ToUInt32(buffer, 140);
            return new FileStatus(kind, device, BitConverter.ToUInt64(buffer, 32), (long)BitConverter.ToUInt64(buffer, 40));
        }
        var info = new FileInfo(path);
        if (!followLinks && info.LinkTarget is not null) return new FileStatus(FileKind.SymbolicLink, 0, 0, 0);
        var full = Path.GetFullPath(followLinks && info.ResolveLinkTarget(true) is { } target ? target.FullName : path);
        ulong id = (ulong)StringComparer.OrdinalIgnoreCase.GetHashCode(full);
        if (Directory.Exists(full)) return new FileStatus(FileKind.Directory, 0, id, 0);
        return File.Exists(full) ? new FileStatus(FileKind.Regular, 0, id, new FileInfo(full).Length) : new FileStatus(FileKind.Missing, 0, 0, 0);
    }

    /// <summary>Whether both name the same existing file.</summary>
    public bool SameFileAs(FileStatus other) => Kind != FileKind.Missing && other.Kind != FileKind.Missing && Device == other.Device && Inode == other.Inode;
}
