using System.Formats.Tar;
using System.Security.Cryptography;
using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Layers.Tests;

public sealed class LayerBuilderTests : IDisposable
{
    private const UnixFileMode Mode0644 = (UnixFileMode)0b110_100_100;
    private const UnixFileMode Mode0755 = (UnixFileMode)0b111_101_101;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Build_twice_gives_identical_bytes()
    {
        string source = CreateSampleFolder("source");

        var (first, firstBytes) = await BuildAsync(LayerFileSet.FromDirectory(source), new LayerOptions());
        var (second, secondBytes) = await BuildAsync(LayerFileSet.FromDirectory(source), new LayerOptions());

        Assert.Equal(firstBytes, secondBytes);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Build_ignores_disk_times_and_creation_order()
    {
        string older = CreateSampleFolder("older");
        SetTreeTimes(older, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        // The same content, created in another order and with other modification and access times.
        string newer = _temp.Combine("newer");
        _temp.WriteFile("newer/sub/deep.txt", "deep");
        _temp.WriteFile("newer/b.txt", "bravo");
        _temp.WriteFile("newer/a.txt", "alpha");
        Directory.CreateSymbolicLink(Path.Combine(newer, "link"), "a.txt");
        File.SetUnixFileMode(Path.Combine(newer, "a.txt"), (UnixFileMode)0b110_000_000);
        SetTreeTimes(newer, new DateTime(2024, 6, 1, 12, 30, 0, DateTimeKind.Utc));

        var (_, olderBytes) = await BuildAsync(LayerFileSet.FromDirectory(older), new LayerOptions());
        var (_, newerBytes) = await BuildAsync(LayerFileSet.FromDirectory(newer), new LayerOptions());

        Assert.Equal(olderBytes, newerBytes);
    }

    [Fact]
    public async Task Build_orders_entries_by_archive_path()
    {
        _temp.WriteFile("src/b", "");
        _temp.WriteFile("src/a-b", "");
        _temp.WriteFile("src/a/z", "");
        _temp.WriteFile("src/A", "");
        _temp.WriteFile("src/a/y/x", "");
        var options = new LayerOptions { DestinationDirectory = "/usr/local/app" };

        var (_, bytes) = await BuildAsync(LayerFileSet.FromDirectory(_temp.Combine("src")), options);
        var names = ReadEntries(bytes).Select(e => e.Name).ToList();

        string[] expected =
        [
            "usr/", "usr/local/", "usr/local/app/",
            "usr/local/app/A", "usr/local/app/a/", "usr/local/app/a-b", "usr/local/app/a/y/", "usr/local/app/a/y/x", "usr/local/app/a/z", "usr/local/app/b",
        ];
        Assert.Equal(expected, names);
    }

    [Fact]
    public async Task Build_adds_missing_parent_directories()
    {
        string source = _temp.WriteFile("one.txt", "1");
        var files = new[] { new LayerFile("x/y/one.txt", source, LayerFileKind.File) };

        var (_, bytes) = await BuildAsync(files, new LayerOptions());
        var entries = ReadEntries(bytes);

        Assert.Equal(["app/", "app/x/", "app/x/y/", "app/x/y/one.txt"], entries.Select(e => e.Name));
        Assert.All(entries.Take(3), e => Assert.Equal(TarEntryType.Directory, e.EntryType));
    }

    [Fact]
    public async Task Build_sets_fixed_modes_owner_and_time()
    {
        _temp.WriteFile("src/plain.txt", "text");
        string tool = _temp.WriteFile("src/tool", "#!/bin/sh\n");
        File.SetUnixFileMode(tool, (UnixFileMode)0b111_000_000);
        _temp.WriteFile("src/script.sh", "echo hi\n");
        Directory.CreateDirectory(_temp.Combine("src/dir"));
        File.SetUnixFileMode(_temp.Combine("src/dir"), (UnixFileMode)0b111_000_000);
        File.CreateSymbolicLink(_temp.Combine("src/link"), "plain.txt");
        var time = new DateTimeOffset(2023, 11, 14, 22, 13, 20, TimeSpan.Zero);
        var options = new LayerOptions
        {
            UserId = 1000,
            GroupId = 2000,
            ModificationTime = time.AddMilliseconds(700),
            IsExecutable = path => path.EndsWith(".sh", StringComparison.Ordinal),
        };

        var (_, bytes) = await BuildAsync(LayerFileSet.FromDirectory(_temp.Combine("src")), options);
        var entries = ReadEntries(bytes).ToDictionary(e => e.Name);

        Assert.Equal(Mode0644, entries["app/plain.txt"].Mode);
        Assert.Equal(Mode0755, entries["app/tool"].Mode);
        Assert.Equal(Mode0755, entries["app/script.sh"].Mode);
        Assert.Equal(Mode0755, entries["app/dir/"].Mode);
        Assert.Equal(TarEntryType.SymbolicLink, entries["app/link"].EntryType);
        Assert.Equal("plain.txt", entries["app/link"].LinkName);
        foreach (var entry in entries.Values)
        {
            Assert.Equal(1000, entry.Uid);
            Assert.Equal(2000, entry.Gid);
            Assert.Equal(time, entry.ModificationTime);
            Assert.Equal("", ((PosixTarEntry)entry).UserName);
            Assert.Equal("", ((PosixTarEntry)entry).GroupName);
        }
    }

    [Fact]
    public async Task Build_reports_digests_of_written_bytes()
    {
        string source = CreateSampleFolder("source");

        var (layer, bytes) = await BuildAsync(LayerFileSet.FromDirectory(source), new LayerOptions());

        Assert.Equal(TestTar.Sha256(bytes), layer.Digest);
        Assert.Equal(TestTar.Sha256(TestTar.Gunzip(bytes)), layer.DiffId);
        Assert.Equal(bytes.Length, layer.Size);
        Assert.Equal(MediaTypes.OciLayerGzip, layer.MediaType);
    }

    [Fact]
    public async Task Build_writes_gzip_header_without_time()
    {
        string source = CreateSampleFolder("source");

        var (_, bytes) = await BuildAsync(LayerFileSet.FromDirectory(source), new LayerOptions());

        Assert.Equal(new byte[] { 0x1F, 0x8B, 8 }, bytes[..3]);
        Assert.Equal(0, bytes[3]);                                   // FLG: no file name, comment or extra field
        Assert.Equal(new byte[4], bytes[4..8]);                      // MTIME
    }

    [Fact]
    public async Task Build_ends_tar_with_two_zero_blocks()
    {
        string source = CreateSampleFolder("source");

        var (_, bytes) = await BuildAsync(LayerFileSet.FromDirectory(source), new LayerOptions());
        byte[] tar = TestTar.Gunzip(bytes);

        Assert.Equal(0, tar.Length % 512);
        Assert.All(tar[^1024..], b => Assert.Equal(0, b));
        Assert.NotEqual(new byte[512], tar[^1536..^1024]);
    }

    [Fact]
    public async Task Build_depends_on_modification_time_option()
    {
        string source = CreateSampleFolder("source");

        var (epoch, _) = await BuildAsync(LayerFileSet.FromDirectory(source), new LayerOptions());
        var (later, _) = await BuildAsync(LayerFileSet.FromDirectory(source), new LayerOptions { ModificationTime = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000) });

        Assert.NotEqual(epoch.DiffId, later.DiffId);
    }

    [Fact]
    public async Task Build_streams_file_content_unchanged()
    {
        byte[] content = RandomNumberGenerator.GetBytes(300_000);
        string path = _temp.Combine("blob.bin");
        File.WriteAllBytes(path, content);

        var (_, bytes) = await BuildAsync([new LayerFile("blob.bin", path, LayerFileKind.File)], new LayerOptions());
        var entry = ReadEntries(bytes).Single(e => e.Name == "app/blob.bin");
        var read = new MemoryStream();
        entry.DataStream!.CopyTo(read);

        Assert.Equal(content.Length, entry.Length);
        Assert.Equal(content, read.ToArray());
    }

    [Theory]
    [InlineData(5)]
    [InlineData(15)]
    public async Task Build_rejects_file_that_changed_size(int actualLength)
    {
        // The header already promised 10 bytes when the content turns out shorter or longer.
        var writer = new UstarWriter(new MemoryStream(), 0, 0, 0);
        var content = new MemoryStream(new byte[actualLength]);

        var error = await Assert.ThrowsAsync<IOException>(() => writer.WriteFileAsync("app/f", 0b110_100_100, content, 10, "/src/f", CancellationToken.None));

        Assert.Contains("/src/f changed while the layer was being built", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../up")]
    [InlineData("/abs")]
    [InlineData("a//b")]
    [InlineData("a/./b")]
    [InlineData("a\\b")]
    [InlineData("")]
    public async Task Build_rejects_invalid_relative_path(string relativePath)
    {
        string source = _temp.WriteFile("f", "x");

        var error = await Assert.ThrowsAsync<OciException>(() => BuildAsync([new LayerFile(relativePath, source, LayerFileKind.File)], new LayerOptions()));

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.Contains($"\"{relativePath}\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_rejects_duplicate_paths()
    {
        string source = _temp.WriteFile("f", "x");
        LayerFile[] files = [new("same", source, LayerFileKind.File), new("same", source, LayerFileKind.File)];

        var error = await Assert.ThrowsAsync<OciException>(() => BuildAsync(files, new LayerOptions()));

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
    }

    [Fact]
    public async Task Build_rejects_file_used_as_parent()
    {
        string source = _temp.WriteFile("f", "x");
        LayerFile[] files = [new("a", source, LayerFileKind.File), new("a/b", source, LayerFileKind.File)];

        var error = await Assert.ThrowsAsync<OciException>(() => BuildAsync(files, new LayerOptions()));

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.Contains("parent a is a file", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("app")]
    [InlineData("/app/../etc")]
    [InlineData("")]
    public async Task Build_rejects_invalid_destination(string destination)
    {
        var error = await Assert.ThrowsAsync<OciException>(() => BuildAsync([], new LayerOptions { DestinationDirectory = destination }));

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
    }

    [Fact]
    public async Task Build_rejects_time_before_epoch()
    {
        var options = new LayerOptions { ModificationTime = DateTimeOffset.UnixEpoch.AddSeconds(-1) };

        var error = await Assert.ThrowsAsync<OciException>(() => BuildAsync([], options));

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
    }

    [Fact]
    public async Task Build_with_root_destination_has_no_parent_entries()
    {
        string source = _temp.WriteFile("f", "x");

        var (_, bytes) = await BuildAsync([new LayerFile("etc/motd", source, LayerFileKind.File)], new LayerOptions { DestinationDirectory = "/" });

        Assert.Equal(["etc/", "etc/motd"], ReadEntries(bytes).Select(e => e.Name));
    }

    internal static async Task<(BuiltLayer Layer, byte[] Bytes)> BuildAsync(IEnumerable<LayerFile> files, LayerOptions options)
    {
        var output = new MemoryStream();
        var layer = await LayerBuilder.BuildAsync(files, options, output, CancellationToken.None);
        return (layer, output.ToArray());
    }

    internal static List<TarEntry> ReadEntries(byte[] gzippedTar)
    {
        using var reader = new TarReader(new MemoryStream(TestTar.Gunzip(gzippedTar)));
        var entries = new List<TarEntry>();
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            entries.Add(entry);
        }

        return entries;
    }

    private string CreateSampleFolder(string name)
    {
        _temp.WriteFile($"{name}/a.txt", "alpha");
        _temp.WriteFile($"{name}/b.txt", "bravo");
        _temp.WriteFile($"{name}/sub/deep.txt", "deep");
        Directory.CreateSymbolicLink(_temp.Combine($"{name}/link"), "a.txt");
        return _temp.Combine(name);
    }

    private static void SetTreeTimes(string directory, DateTime time)
    {
        foreach (string path in Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories).Where(p => new FileInfo(p).LinkTarget is null))
        {
            File.SetLastWriteTimeUtc(path, time);
            File.SetLastAccessTimeUtc(path, time);
        }
    }
}
