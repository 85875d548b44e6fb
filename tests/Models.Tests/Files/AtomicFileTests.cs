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
    public void A_batch_of_outputs_has_its_stale_temporaries_removed_in_one_pass_per_folder_and_no_others()
    {
        var sub = Directory.CreateDirectory(Path.Combine(dir, "sub")).FullName;
        string Temp(string folder, string output, long pid) => Path.Combine(folder, $".{output}.{pid}.{Guid.NewGuid():N}.tmp");
        var gone = new[] { Temp(dir, "a.vqz", 999999999), Temp(dir, "b.vqz", 999999999), Temp(sub, "c.vqz", 999999999) };
        var kept = new[]
        {
            Temp(dir, "z.vqz", 999999999),            // an output not in the batch
            Temp(dir, "a.vqz.x", 999999999),          // a.vqz.x's, not a.vqz's
            Temp(dir, "a.vqz", Environment.ProcessId), // a running process's
            Temp(sub, "a.vqz", 999999999),            // a.vqz of another folder
        };
        foreach (var f in gone.Concat(kept)) File.WriteAllText(f, "x");
        AtomicFile.RemoveStaleTemporaries(new[] { "a.vqz", "b.vqz" }.Select(n => Path.Combine(dir, n)).Append(Path.Combine(sub, "c.vqz")));
        Assert.All(gone, f => Assert.False(File.Exists(f), f));
        Assert.All(kept, f => Assert.True(File.Exists(f), f));

        // A write told that its batch was swept does not look again.
        var later = Temp(dir, "d.vqz", 999999999);
        File.WriteAllText(later, "x");
        AtomicFile.Write(Path.Combine(dir, "d.vqz"), "data"u8, ExistingOutput.Keep, StaleTemporaries.AlreadyRemoved);
        Assert.True(File.Exists(later));
        Assert.Equal("data", File.ReadAllText(Path.Combine(dir, "d.vqz")));
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
