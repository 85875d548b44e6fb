using VqVae.Codec.Models.Files;

namespace VqVae.Codec.Models.Tests.Files;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("vqz-atomic-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Publishing_without_replace_refuses_a_file_that_appeared_after_the_check_and_keeps_it()
    {
        var target = Path.Combine(dir, "out.vqz");
        var temp = AtomicFile.TempPathFor(target);
        File.WriteAllText(temp, "new");
        File.WriteAllText(target, "appeared meanwhile");
        var e = Assert.Throws<OutputFileException>(() => AtomicFile.Publish(temp, target, target, ExistingOutput.Keep));
        Assert.Contains("--force", e.Message);
        Assert.DoesNotContain(Path.GetFileName(temp), e.Message);
        Assert.Equal("appeared meanwhile", File.ReadAllText(target));
    }

    [Fact]
    public void Publishing_without_replace_moves_the_temporary_file_into_place()
    {
        var target = Path.Combine(dir, "out.vqz");
        var temp = AtomicFile.TempPathFor(target);
        File.WriteAllText(temp, "new");
        AtomicFile.Publish(temp, target, target, ExistingOutput.Keep);
        Assert.Equal("new", File.ReadAllText(target));
    }

    [Fact]
    public void Temporary_files_of_a_dead_process_are_removed_by_the_next_write_and_others_are_kept()
    {
        var target = Path.Combine(dir, "b.vqz");
        var stale = Path.Combine(dir, $".b.vqz.999999999.{Guid.NewGuid():N}.tmp");   // above Linux's pid_max
        var live = Path.Combine(dir, $".b.vqz.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var other = Path.Combine(dir, ".b.vqz.notes.tmp");
        foreach (var f in new[] { stale, live, other }) File.WriteAllText(f, "x");
        AtomicFile.Write(target, "data"u8, ExistingOutput.Keep);
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(live));
        Assert.True(File.Exists(other));
        Assert.Equal("data", File.ReadAllText(target));
    }

    [Fact]
    public void An_output_with_a_name_of_255_bytes_is_written_and_its_stale_temporaries_are_found()
    {
        var target = Path.Combine(dir, new string('n', 251) + ".vqz");
        var stale = Path.Combine(dir, $".{new string('n', 200)}.999999999.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(stale, "x");
        AtomicFile.Write(target, "data"u8, ExistingOutput.Keep);
        Assert.Equal("data", File.ReadAllText(target));
        Assert.False(File.Exists(stale));
    }

    [Fact]
    public void Replacing_refuses_a_directory_a_symbolic_link_and_a_fifo()
    {
        var linked = Path.Combine(dir, "precious.txt");
        File.WriteAllText(linked, "precious");
        var link = Path.Combine(dir, "link.vqz");
        File.CreateSymbolicLink(link, linked);
        var folder = Directory.CreateDirectory(Path.Combine(dir, "folder.vqz")).FullName;
        var fifo = Path.Combine(dir, "fifo.vqz");
        System.Diagnostics.Process.Start("mkfifo", fifo)!.WaitForExit();
        foreach (var target in new[] { link, folder, fifo })
        {
            var e = Assert.Throws<OutputFileException>(() => AtomicFile.Write(target, "x"u8, ExistingOutput.ReplaceRegularFile));
            Assert.Contains("not a regular file", e.Message);
        }
        Assert.Equal(FileKind.SymbolicLink, FileStatus.Of(link).Kind);
        Assert.Equal("precious", File.ReadAllText(linked));
        Assert.Equal(FileKind.Directory, FileStatus.Of(folder).Kind);
        Assert.Equal(FileKind.Special, FileStatus.Of(fifo).Kind);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }
}
