using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace VqVae.Codec.Models.Files;

/// <summary>What may happen to a file already at an output path.</summary>
public enum ExistingOutput
{
    /// <summary>Refuse (the default of vqz without --force); also when the file appears while the output is written.</summary>
    Keep,
    /// <summary>Replace it if it is a regular file (--force); a directory, symbolic link, device node or FIFO is refused.</summary>
    ReplaceRegularFile,
}

/// <summary>Whether a write looks for the temporary files that killed runs left for the same output.</summary>
public enum StaleTemporaries
{
    /// <summary>Remove them first (one pass over the output's directory).</summary>
    Remove,
    /// <summary>The caller removed them for a whole batch of outputs (<see cref="AtomicFile.RemoveStaleTemporaries(IEnumerable{string})"/>).</summary>
    AlreadyRemoved,
}

/// <summary>
/// The one place that writes outputs, with the rules that no file is lost: a reader never sees a half-written
/// output (temporary file beside it, flushed, then renamed); only regular files are replaced, and only when
/// asked; without replacing, the rename itself refuses a file that appeared meanwhile (an atomic no-replace
/// rename, not a check then a rename); temporary files of a killed run are recognised by their name and removed
/// by the next write to the same output; errors name the output, never the temporary file.
/// </summary>
public static partial class AtomicFile
{
    private const string TempSuffix = ".tmp";

    /// <summary>Refuses <paramref name="path"/> as an output under <paramref name="existing"/> (before any work is done).</summary>
    public static void Check(string path, ExistingOutput existing)
    {
        var status = FileStatus.Of(path);
        switch (status.Kind)
        {
            case FileKind.Missing:
                return;
            case FileKind.Regular when existing == ExistingOutput.ReplaceRegularFile:
                return;
            case FileKind.Regular:
                throw new OutputFileException(path, "exists; use --force to overwrite it");
            default:
                throw new OutputFileException(path, $"exists and is a {Describe(status.Kind)}, not a regular file; vqz replaces only regular files, even with --force");
        }
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically, replacing a regular file there.</summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes) => Write(path, bytes, ExistingOutput.ReplaceRegularFile);

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically under the rule <paramref name="existing"/>.</summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes, ExistingOutput existing) => Write(path, bytes, existing, StaleTemporaries.Remove);

    /// <summary>
    /// As <see cref="Write(string, ReadOnlySpan{byte}, ExistingOutput)"/>; with <see cref="StaleTemporaries.AlreadyRemoved"/>
    /// the caller has removed the stale temporaries of a batch of outputs in one pass per directory (a pass per
    /// file reads n² directory entries for n files written into one folder: half a second of CPU for 1,000).
    /// </summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes, ExistingOutput existing, StaleTemporaries stale)
    {
        var full = Path.GetFullPath(path);
        Check(full, existing);
        var temp = TempPathFor(full);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            if (stale == StaleTemporaries.Remove) RemoveStaleTemporaries(full);
            using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write);
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputFileException(path, $"cannot be written: {Reason(e, temp, full)}", e);
        }
        try
        {
            Publish(temp, full, path, existing);
        }
        finally
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>A unique hidden temporary name beside <paramref name="fullPath"/> (same directory, so rename is atomic):
    /// ".&lt;name&gt;.&lt;pid&gt;.&lt;32 hex digits&gt;.tmp", which tells whose it is.</summary>
    public static string TempPathFor(string fullPath) =>
        Path.Combine(Path.GetDirectoryName(fullPath)!, $"{TempPrefix(fullPath)}{Environment.ProcessId}.{Guid.NewGuid():N}{TempSuffix}");

    /// <summary>Most UTF-8 bytes of the output's name kept in a temporary name: 255 (NAME_MAX) less the 1 + 1 + 10 + 1 + 32
    /// + 4 bytes around it, so that an output of any valid name has a valid temporary name.</summary>
    private const int MaxNameBytesInTemp = 200;

    /// <summary>".&lt;name&gt;." with the name cut to <see cref="MaxNameBytesInTemp"/> UTF-8 bytes (whole characters).</summary>
    private static string TempPrefix(string fullPath)
    {
        var name = Path.GetFileName(fullPath);
        int chars = 0, bytes = 0;
        foreach (var rune in name.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > MaxNameBytesInTemp) break;
            bytes += rune.Utf8SequenceLength;
            chars += rune.Utf16SequenceLength;
        }
        return "." + name[..chars] + ".";
    }

    /// <summary>Deletes the temporary files of <paramref name="fullPath"/> whose process is gone (a killed run).</summary>
    public static void RemoveStaleTemporaries(string fullPath) => RemoveStaleTemporaries([fullPath]);

    /// <summary>
    /// <see cref="RemoveStaleTemporaries(string)"/> for many outputs (full paths), with one pass over each of their
    /// directories.
    /// </summary>
    public static void RemoveStaleTemporaries(IEnumerable<string> fullPaths)
    {
        foreach (var outputs in fullPaths.GroupBy(p => Path.GetDirectoryName(p)!, StringComparer.Ordinal))
        {
            if (!Directory.Exists(outputs.Key)) continue;
            var prefixes = outputs.Select(TempPrefix).ToHashSet(StringComparer.Ordinal);
            foreach (var file in Directory.EnumerateFiles(outputs.Key, ".*" + TempSuffix))
            {
                var match = TempName().Match(Path.GetFileName(file));
                if (!match.Success || !prefixes.Contains(match.Groups[1].Value)) continue;
                if (!int.TryParse(match.Groups[2].ValueSpan, out int pid) || IsRunning(pid)) continue;
                if (FileStatus.Of(file).Kind != FileKind.Regular) continue;
                try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }

    /// <summary>A temporary's name: its output's prefix (".&lt;name&gt;."), the pid, 32 hex digits, ".tmp".</summary>
    [GeneratedRegex(@"^(\..*\.)([0-9]{1,10})\.[0-9a-f]{32}\.tmp$", RegexOptions.Singleline)]
    private static partial Regex TempName();

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    internal static void Publish(string temp, string full, string path, ExistingOutput existing)
    {
        if (existing == ExistingOutput.ReplaceRegularFile)
        {
            // Checked again just before the rename: rename(2) would replace a directory-free name of any kind.
            Check(full, existing);
            try { File.Move(temp, full, overwrite: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new OutputFileException(path, $"cannot be written: {Reason(e, temp, full)}", e);
            }
            return;
        }
        // File.Move(overwrite: false) is not enough: on Unix, .NET lstat()s the target and rename()s when it is
        // absent, so a file created in between is replaced. renameat2(RENAME_NOREPLACE) fails instead (EEXIST);
        // where the file system lacks it, link(2) + unlink(2) does the same.
        if (OperatingSystem.IsLinux())
        {
            if (RenameNoReplace(AtFdCwd, temp, AtFdCwd, full, RenameNoReplaceFlag) == 0) return;
            int errno = Marshal.GetLastPInvokeError();
            if (errno == EExist) throw new OutputFileException(path, "exists (it appeared while vqz was writing); use --force to overwrite it");
            if (errno is EInval or ENoSys or ENotSup)
            {
                if (Link(temp, full) == 0) return;   // the finally deletes the temporary name
                errno = Marshal.GetLastPInvokeError();
                if (errno == EExist) throw new OutputFileException(path, "exists (it appeared while vqz was writing); use --force to overwrite it");
            }
            throw new OutputFileException(path, $"cannot be written: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        try { File.Move(temp, full, overwrite: false); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputFileException(path, File.Exists(full) ? "exists; use --force to overwrite it" : $"cannot be written: {Reason(e, temp, full)}", e);
        }
    }

    /// <summary>An exception's message, naming the output where it named the temporary file.</summary>
    private static string Reason(Exception e, string temp, string full) => e.Message.Replace(temp, full, StringComparison.Ordinal);

    private static string Describe(FileKind kind) => kind switch
    {
        FileKind.Directory => "directory",
        FileKind.SymbolicLink => "symbolic link",
        _ => "device node, FIFO or socket",
    };

    private const int AtFdCwd = -100;
    private const uint RenameNoReplaceFlag = 1;
    private const int EExist = 17, EInval = 22, ENoSys = 38, ENotSup = 95;

    [DllImport("libc", EntryPoint = "renameat2", SetLastError = true)]
    private static extern int RenameNoReplace(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link(string oldpath, string newpath);
}
