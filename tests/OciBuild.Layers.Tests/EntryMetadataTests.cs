using System.Formats.Tar;
using OciBuild.Core.Errors;

namespace OciBuild.Layers.Tests;

/// <summary>Per-entry owner, mode and time from <see cref="LayerFile.Metadata"/>, hard links and device nodes.</summary>
public sealed class EntryMetadataTests : IDisposable
{
    private const UnixFileMode Mode0644 = (UnixFileMode)0b110_100_100;
    private const UnixFileMode Mode0755 = (UnixFileMode)0b111_101_101;
    private const UnixFileMode Mode4755 = (UnixFileMode)0b100_111_101_101;
    private const UnixFileMode Mode1777 = (UnixFileMode)0b001_111_111_111;
    private const UnixFileMode Mode0700 = (UnixFileMode)0b111_000_000;

    private static readonly DateTimeOffset DefaultTime = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset EntryTime = new(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Metadata_overrides_entry_defaults()
    {
        string file = _temp.WriteFile("f", "data");
        var files = new[]
        {
            new LayerFile("d", _temp.Path, LayerFileKind.Directory) { Metadata = new() { UserId = 1000, GroupId = 1001, Mode = Mode0700 } },
            new LayerFile("d/setuid", file, LayerFileKind.File) { Metadata = new() { Mode = Mode4755, ModificationTime = EntryTime } },
            new LayerFile("owned", file, LayerFileKind.File) { Metadata = new() { UserId = 3_000_000, GroupId = 2_500_000 } },
            new LayerFile("plain", file, LayerFileKind.File),
            new LayerFile("tmp", _temp.Path, LayerFileKind.Directory) { Metadata = new() { Mode = Mode1777 } },
            new LayerFile("link", file, LayerFileKind.Symlink, "plain") { Metadata = new() { UserId = 7, GroupId = 8, Mode = Mode0700 } },
        };

        var (_, bytes) = await LayerBuilderTests.BuildAsync(files, Options());
        var entries = LayerBuilderTests.ReadEntries(bytes).ToDictionary(e => e.Name);

        Assert.Equal(Mode0700, entries["d/"].Mode);
        Assert.Equal(1000, entries["d/"].Uid);
        Assert.Equal(1001, entries["d/"].Gid);
        Assert.Equal(DefaultTime, entries["d/"].ModificationTime);
        Assert.Equal(Mode4755, entries["d/setuid"].Mode);
        Assert.Equal(0, entries["d/setuid"].Uid);
        Assert.Equal(EntryTime, entries["d/setuid"].ModificationTime);
        Assert.Equal(3_000_000, entries["owned"].Uid);
        Assert.Equal(2_500_000, entries["owned"].Gid);
        Assert.Equal(Mode0644, entries["owned"].Mode);
        Assert.Equal(Mode0644, entries["plain"].Mode);
        Assert.Equal(0, entries["plain"].Uid);
        Assert.Equal(Mode1777, entries["tmp/"].Mode);
        Assert.Equal((UnixFileMode)0b111_111_111, entries["link"].Mode);
        Assert.Equal(7, entries["link"].Uid);
    }

    [Fact]
    public async Task Metadata_mode_replaces_execute_bit_on_disk()
    {
        string tool = _temp.WriteFile("tool", "#!/bin/sh\n");
        File.SetUnixFileMode(tool, Mode0755);
        var files = new[] { new LayerFile("tool", tool, LayerFileKind.File) { Metadata = new() { Mode = Mode0644 } } };

        var (_, bytes) = await LayerBuilderTests.BuildAsync(files, Options());

        Assert.Equal(Mode0644, LayerBuilderTests.ReadEntries(bytes).Single().Mode);
    }

    [Fact]
    public async Task Hard_link_and_nodes_are_written()
    {
        string file = _temp.WriteFile("f", "shared");
        var files = new[]
        {
            new LayerFile("a", file, LayerFileKind.File),
            new LayerFile("b", file, LayerFileKind.HardLink, "a") { Metadata = new() { Mode = Mode0755, UserId = 5 } },
            new LayerFile("null", "", LayerFileKind.CharacterDevice) { Device = (1, 3), Metadata = new() { Mode = (UnixFileMode)0b110_110_110 } },
            new LayerFile("disk", "", LayerFileKind.BlockDevice) { Device = (8, 1) },
            new LayerFile("pipe", "", LayerFileKind.Fifo),
        };

        var (_, bytes) = await LayerBuilderTests.BuildAsync(files, Options() with { DestinationDirectory = "/srv" });
        var entries = LayerBuilderTests.ReadEntries(bytes).ToDictionary(e => e.Name);

        Assert.Equal(TarEntryType.HardLink, entries["srv/b"].EntryType);
        Assert.Equal("srv/a", entries["srv/b"].LinkName);
        Assert.Equal(5, entries["srv/b"].Uid);
        Assert.Equal(TarEntryType.CharacterDevice, entries["srv/null"].EntryType);
        Assert.Equal(1, ((PosixTarEntry)entries["srv/null"]).DeviceMajor);
        Assert.Equal(3, ((PosixTarEntry)entries["srv/null"]).DeviceMinor);
        Assert.Equal((UnixFileMode)0b110_110_110, entries["srv/null"].Mode);
        Assert.Equal(TarEntryType.BlockDevice, entries["srv/disk"].EntryType);
        Assert.Equal(8, ((PosixTarEntry)entries["srv/disk"]).DeviceMajor);
        Assert.Equal(TarEntryType.Fifo, entries["srv/pipe"].EntryType);
        Assert.Equal(0, entries["srv/pipe"].Length);
    }

    [Fact]
    public async Task Extracted_entries_keep_owner_mode_and_links()
    {
        string file = _temp.WriteFile("src/f", "content");
        var files = new[]
        {
            new LayerFile("a", file, LayerFileKind.File) { Metadata = new() { UserId = 1000, GroupId = 1000, Mode = Mode4755, ModificationTime = EntryTime } },
            new LayerFile("b", file, LayerFileKind.HardLink, "a"),
            new LayerFile("private", file, LayerFileKind.Directory) { Metadata = new() { Mode = Mode0700, UserId = 1000, GroupId = 1000 } },
        };
        var (_, bytes) = await LayerBuilderTests.BuildAsync(files, Options() with { DestinationDirectory = "/" });
        string root = _temp.Combine("root");
        Directory.CreateDirectory(root);

        await TestTar.ExtractAsync(TestTar.Gunzip(bytes), root);

        // Only root can give files away, so other users keep their own IDs.
        string owner = LibC.IsRoot ? "1000:1000" : StatCommand.Query(root, "%u:%g");
        Assert.Equal($"{owner} 4755", StatCommand.Query(Path.Combine(root, "a"), "%u:%g %a"));
        Assert.Equal(StatCommand.Query(Path.Combine(root, "a"), "%i"), StatCommand.Query(Path.Combine(root, "b"), "%i"));
        Assert.Equal($"{owner} 700", StatCommand.Query(Path.Combine(root, "private"), "%u:%g %a"));
        Assert.Equal(EntryTime.UtcDateTime, File.GetLastWriteTimeUtc(Path.Combine(root, "a")));
    }

    [Theory]
    [InlineData("b", "its hard link target \"b\" must sort before the link")]
    [InlineData("missing", "is not a regular file of the same layer")]
    [InlineData("dir", "is not a regular file of the same layer")]
    public async Task Hard_link_with_bad_target_is_rejected(string target, string reason)
    {
        string file = _temp.WriteFile("f", "x");
        var files = new[]
        {
            new LayerFile("a", file, LayerFileKind.HardLink, target),
            new LayerFile("b", file, LayerFileKind.File),
            new LayerFile("dir", file, LayerFileKind.Directory),
        };

        var error = await Assert.ThrowsAsync<OciException>(() => LayerBuilderTests.BuildAsync(files, Options()));

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public async Task Mode_outside_permission_bits_is_rejected()
    {
        string file = _temp.WriteFile("f", "x");
        var files = new[] { new LayerFile("f", file, LayerFileKind.File) { Metadata = new() { Mode = (UnixFileMode)0x8000 | Mode0644 } } };

        var error = await Assert.ThrowsAsync<OciException>(() => LayerBuilderTests.BuildAsync(files, Options()));

        Assert.Contains("invalid mode 100644", error.Message);
    }

    [Fact]
    public async Task Negative_owner_is_rejected()
    {
        string file = _temp.WriteFile("f", "x");
        var files = new[] { new LayerFile("f", file, LayerFileKind.File) { Metadata = new() { UserId = -1 } } };

        var error = await Assert.ThrowsAsync<OciException>(() => LayerBuilderTests.BuildAsync(files, Options()));

        Assert.Contains("invalid owner -1:", error.Message);
    }

    private static LayerOptions Options() => new() { DestinationDirectory = "/", ModificationTime = DefaultTime };
}
