using System.Diagnostics;
using System.Formats.Tar;
using System.Text;
using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Layers.Tests;

/// <summary>
/// Tar forms that honest tools write but few layers contain: GNU long names, long link targets, sparse
/// files, odd times and modes, names that are not UTF-8, and device nodes extracted without root.
/// </summary>
public sealed class TarEdgeCaseTests : IDisposable
{
    private static readonly string LongName = "dir/" + new string('n', 150) + ".txt";
    private static readonly string LongTarget = new string('t', 180) + "/target.txt";

    private readonly TempDirectory _temp = new();
    private readonly string _root;

    public TarEdgeCaseTests()
    {
        _root = _temp.Combine("rootfs");
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Gnu_long_names_and_targets_extract()
    {
        byte[] tar = CreateTar(
            TarEntryFormat.Gnu,
            GnuFile(LongTarget, "target"),
            new GnuTarEntry(TarEntryType.SymbolicLink, "symlink") { LinkName = LongTarget },
            new GnuTarEntry(TarEntryType.HardLink, "hardlink") { LinkName = LongTarget },
            GnuFile(LongName, "long name"));

        await TestTar.ExtractAsync(tar, _root);

        Assert.Equal("long name", File.ReadAllText(Path.Combine(_root, LongName)));
        Assert.Equal(LongTarget, new FileInfo(Path.Combine(_root, "symlink")).LinkTarget);
        Assert.Equal("target", File.ReadAllText(Path.Combine(_root, "symlink")));
        Assert.Equal(StatCommand.Query(Path.Combine(_root, LongTarget), "%i"), StatCommand.Query(Path.Combine(_root, "hardlink"), "%i"));
    }

    [Fact]
    public async Task Pax_long_link_targets_extract()
    {
        byte[] tar = TestTar.Create(
            TestTar.File(LongTarget, "target"),
            TestTar.Symlink("symlink", LongTarget),
            TestTar.HardLink("hardlink", LongTarget));

        await TestTar.ExtractAsync(tar, _root);

        Assert.Equal(LongTarget, new FileInfo(Path.Combine(_root, "symlink")).LinkTarget);
        Assert.Equal(StatCommand.Query(Path.Combine(_root, LongTarget), "%i"), StatCommand.Query(Path.Combine(_root, "hardlink"), "%i"));
        Assert.Equal("2", StatCommand.Query(Path.Combine(_root, "hardlink"), "%h"));
    }

    [Theory]
    [InlineData("gnu")]
    [InlineData("posix")]
    [InlineData("ustar")]
    public async Task Gnu_tar_archives_extract(string format)
    {
        // ustar cannot hold a 150-byte name without a slash to split at, so that format gets a shorter one.
        string longName = format == "ustar" ? new string('u', 90) + "/" + new string('v', 90) : LongName;
        _temp.WriteFile("src/" + longName, "long name");
        _temp.WriteFile("src/a/file", "hard linked");
        File.CreateSymbolicLink(_temp.Combine("src/link"), "a/file");
        LibC.CreateHardLink(_temp.Combine("src/a/file"), _temp.Combine("src/a/second"));
        string archive = _temp.Combine("layer.tar");

        RunTool("tar", "--format=" + format, "-C", _temp.Combine("src"), "-cf", archive, ".");
        await TestTar.ExtractAsync(await File.ReadAllBytesAsync(archive), _root);

        Assert.Equal("long name", File.ReadAllText(Path.Combine(_root, longName)));
        Assert.Equal("a/file", new FileInfo(Path.Combine(_root, "link")).LinkTarget);
        Assert.Equal(StatCommand.Query(Path.Combine(_root, "a/file"), "%i"), StatCommand.Query(Path.Combine(_root, "a/second"), "%i"));
        Assert.Equal("hard linked", File.ReadAllText(Path.Combine(_root, "a/second")));
    }

    [Fact]
    public async Task Hard_link_to_lower_layer_file()
    {
        await TestTar.ExtractAsync(TestTar.Create(TestTar.File("lib/libx.so.1", "library")), _root);

        await TestTar.ExtractAsync(TestTar.Create(TestTar.HardLink("lib/libx.so", "lib/libx.so.1")), _root);

        Assert.Equal("library", File.ReadAllText(Path.Combine(_root, "lib/libx.so")));
        Assert.Equal("2", StatCommand.Query(Path.Combine(_root, "lib/libx.so.1"), "%h"));
    }

    [Fact]
    public async Task Hard_link_to_later_entry_is_invalid()
    {
        byte[] tar = TestTar.Create(TestTar.HardLink("alias", "original"), TestTar.File("original", "content"));

        var error = await Assert.ThrowsAsync<OciException>(() => TestTar.ExtractAsync(tar, _root));

        Assert.Equal(ErrorCodes.LayerInvalid, error.Code);
        Assert.Contains("entry \"alias\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist in the rootfs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dangling_and_directory_symlinks_extract()
    {
        byte[] tar = TestTar.Create(
            TestTar.Directory("real"),
            TestTar.Symlink("dangling", "/nowhere/at/all"),
            TestTar.Symlink("dirlink", "real"),
            TestTar.Symlink("self", "self"));

        await TestTar.ExtractAsync(tar, _root);

        Assert.Equal("/nowhere/at/all", new FileInfo(Path.Combine(_root, "dangling")).LinkTarget);
        Assert.Equal("real", new FileInfo(Path.Combine(_root, "dirlink")).LinkTarget);
        Assert.Equal("self", new FileInfo(Path.Combine(_root, "self")).LinkTarget);
    }

    [Theory]
    [InlineData("gnu")]
    [InlineData("posix")]
    public async Task Sparse_files_are_rejected(string format)
    {
        string sparse = _temp.Combine("src/sparse.bin");
        Directory.CreateDirectory(_temp.Combine("src"));
        using (var file = File.Create(sparse))
        {
            file.Seek(1 << 20, SeekOrigin.Begin);
            file.Write("end"u8);
        }

        string archive = _temp.Combine("layer.tar");
        RunTool("tar", "--sparse", "--format=" + format, "-C", _temp.Combine("src"), "-cf", archive, "sparse.bin");

        var error = await Assert.ThrowsAsync<OciException>(() => TestTar.ExtractAsync(File.ReadAllBytes(archive), _root));

        // A GNU sparse header fails inside TarReader before its name is read, so only the PAX form can name the entry.
        Assert.Equal(ErrorCodes.LayerUnsupported, error.Code);
        Assert.Contains("layer test-layer", error.Message, StringComparison.Ordinal);
        Assert.Contains(format == "gnu" ? "SparseFile" : "sparse.bin", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TarEntryFormat.Pax, "1950-06-01T12:00:00Z")]
    [InlineData(TarEntryFormat.Pax, "1969-12-31T23:59:59Z")]
    [InlineData(TarEntryFormat.Pax, "2400-01-01T00:00:00Z")]
    [InlineData(TarEntryFormat.Gnu, "1950-06-01T12:00:00Z")]
    [InlineData(TarEntryFormat.Gnu, "2400-01-01T00:00:00Z")]
    public async Task Times_outside_unsigned_range_extract(TarEntryFormat format, string time)
    {
        var modificationTime = DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture);
        TarEntry file = format == TarEntryFormat.Gnu ? GnuFile("file", "x") : TestTar.File("file", "x");
        file.ModificationTime = modificationTime;
        TarEntry directory = format == TarEntryFormat.Gnu ? new GnuTarEntry(TarEntryType.Directory, "dir") : TestTar.Directory("dir");
        directory.Mode = (UnixFileMode)0b111_101_101;
        directory.ModificationTime = modificationTime;

        await TestTar.ExtractAsync(CreateTar(format, file, directory), _root);

        string seconds = modificationTime.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(seconds, StatCommand.Query(Path.Combine(_root, "file"), "%Y"));
        Assert.Equal(seconds, StatCommand.Query(Path.Combine(_root, "dir"), "%Y"));
    }

    [Fact]
    public async Task Latest_builder_time_round_trips()
    {
        _temp.WriteFile("src/a.txt", "alpha");
        var options = new LayerOptions { ModificationTime = LayerOptions.MaxModificationTime };
        var (layer, bytes) = await LayerBuilderTests.BuildAsync(LayerFileSet.FromDirectory(_temp.Combine("src")), options);

        await LayerExtractor.ExtractAsync(new MemoryStream(bytes), layer.MediaType, _root, "built", CancellationToken.None);

        Assert.Equal(LayerOptions.MaxModificationTime.UtcDateTime, File.GetLastWriteTimeUtc(Path.Combine(_root, "app/a.txt")));
        Assert.Equal("8589934591", StatCommand.Query(Path.Combine(_root, "app/a.txt"), "%Y"));
    }

    [Fact]
    public async Task Mode_zero_entries_extract()
    {
        byte[] tar = TestTar.Create(
            TestTar.Directory("closed", mode: 0),
            TestTar.File("closed/inside", "written before the mode", mode: 0),
            TestTar.File("nobody-reads", "mode 0", mode: 0));

        await TestTar.ExtractAsync(tar, _root);

        Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(Path.Combine(_root, "closed")));
        Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(Path.Combine(_root, "nobody-reads")));
        Assert.Equal("0", StatCommand.Query(Path.Combine(_root, "closed/inside"), "%a"));
        if (LibC.IsRoot)
        {
            Assert.Equal("mode 0", File.ReadAllText(Path.Combine(_root, "nobody-reads")));
        }
    }

    [Fact]
    public async Task Builder_normalizes_special_and_zero_modes()
    {
        string setuid = _temp.WriteFile("src/setuid-tool", "tool");
        File.SetUnixFileMode(setuid, (UnixFileMode)0b100_111_101_101);
        string zero = _temp.WriteFile("src/mode-zero", "unreadable for others");
        Directory.CreateDirectory(_temp.Combine("src/sticky"));
        File.SetUnixFileMode(_temp.Combine("src/sticky"), (UnixFileMode)0b001_111_111_111);

        // Only root can read a file of mode 0, so other users build it with its default mode.
        if (LibC.IsRoot)
        {
            File.SetUnixFileMode(zero, 0);
        }

        var (_, bytes) = await LayerBuilderTests.BuildAsync(LayerFileSet.FromDirectory(_temp.Combine("src")), new LayerOptions());
        var entries = LayerBuilderTests.ReadEntries(bytes).ToDictionary(e => e.Name);

        // Layers get fixed modes, so bits that grant privilege on the build machine do not reach the image.
        Assert.Equal((UnixFileMode)0b111_101_101, entries["app/setuid-tool"].Mode);
        Assert.Equal((UnixFileMode)0b110_100_100, entries["app/mode-zero"].Mode);
        Assert.Equal((UnixFileMode)0b111_101_101, entries["app/sticky/"].Mode);
        Assert.Equal("unreadable for others", new StreamReader(entries["app/mode-zero"].DataStream!).ReadToEnd());
    }

    [Fact]
    public async Task Device_node_without_root_is_rejected()
    {
        var device = new PaxTarEntry(TarEntryType.BlockDevice, "dev/sda") { DeviceMajor = 8, DeviceMinor = 0, Mode = (UnixFileMode)0b110_110_000 };
        byte[] tar = TestTar.Create(TestTar.Directory("dev"), device);

        var error = await Assert.ThrowsAsync<OciException>(
            () => LayerExtractor.ExtractAsync(new MemoryStream(tar), MediaTypes.OciLayer, _root, "sha256:feed", isRoot: false, CancellationToken.None));

        Assert.Equal(ErrorCodes.LayerUnsupported, error.Code);
        Assert.Contains("layer sha256:feed", error.Message, StringComparison.Ordinal);
        Assert.Contains("entry \"dev/sda\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("only root can create device nodes", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_root, "dev/sda")));
    }

    [Fact]
    public async Task Non_utf8_names_extract_with_replacement()
    {
        // GNU tar stores file names as the bytes it got from the file system, here Latin-1 "café".
        var file = new UstarTarEntry(TarEntryType.RegularFile, "cafe-placeholder")
        {
            Mode = (UnixFileMode)0b110_100_100,
            DataStream = new MemoryStream(Encoding.UTF8.GetBytes("latin-1 name")),
        };
        byte[] tar = CreateTar(TarEntryFormat.Ustar, file);
        byte[] placeholder = Encoding.ASCII.GetBytes("cafe-placeholder");
        byte[] latin1 = [.. "caf"u8, 0xE9];
        ReplaceName(tar, placeholder, latin1);

        await TestTar.ExtractAsync(tar, _root);

        // NOTE: System.Formats.Tar decodes names as UTF-8, so a byte that is not valid UTF-8 becomes U+FFFD.
        Assert.Equal(["caf\uFFFD"], TestTar.ListTree(_root));
        Assert.Equal("latin-1 name", File.ReadAllText(Path.Combine(_root, "caf\uFFFD")));
    }

    private static TarEntry GnuFile(string name, string content)
        => new GnuTarEntry(TarEntryType.RegularFile, name)
        {
            Mode = (UnixFileMode)0b110_100_100,
            ModificationTime = TestTar.EntryTime,
            DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
        };

    private static byte[] CreateTar(TarEntryFormat format, params TarEntry[] entries)
    {
        var output = new MemoryStream();
        using (var writer = new TarWriter(output, format, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                writer.WriteEntry(entry);
            }
        }

        return output.ToArray();
    }

    // Overwrites the name field of the first ustar header whose name starts with the placeholder, and
    // recomputes that header's checksum: the sum of all 512 bytes with the checksum field as spaces.
    private static void ReplaceName(byte[] tar, byte[] placeholder, byte[] name)
    {
        for (int offset = 0; offset + 512 <= tar.Length; offset += 512)
        {
            if (!tar.AsSpan(offset, placeholder.Length).SequenceEqual(placeholder))
            {
                continue;
            }

            var header = tar.AsSpan(offset, 512);
            header[..100].Clear();
            name.CopyTo(header);
            header.Slice(148, 8).Fill((byte)' ');
            int sum = 0;
            foreach (byte b in header)
            {
                sum += b;
            }

            Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header.Slice(148, 8));
            return;
        }

        throw new InvalidOperationException("the placeholder name is not in the tar");
    }

    private static void RunTool(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}: {errors.Result}");
        }
    }
}
