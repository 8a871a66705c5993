using System.Formats.Tar;
using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Layers.Tests;

public sealed class LayerExtractorTests : IDisposable
{
    private const UnixFileMode Mode0644 = (UnixFileMode)0b110_100_100;
    private const UnixFileMode Mode0755 = (UnixFileMode)0b111_101_101;

    private readonly TempDirectory _temp = new();
    private readonly string _root;

    public LayerExtractorTests()
    {
        _root = _temp.Combine("rootfs");
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Extract_round_trips_built_layer()
    {
        _temp.WriteFile("src/a.txt", "alpha");
        string tool = _temp.WriteFile("src/bin/tool", "#!/bin/sh\necho tool\n");
        File.SetUnixFileMode(tool, (UnixFileMode)0b111_000_000);
        _temp.WriteFile("src/sub/deep/x.txt", "deep");
        Directory.CreateDirectory(_temp.Combine("src/empty"));
        File.CreateSymbolicLink(_temp.Combine("src/link"), "a.txt");
        var time = new DateTimeOffset(2022, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var options = new LayerOptions { ModificationTime = time, UserId = 1000, GroupId = 1001 };
        var (layer, bytes) = await LayerBuilderTests.BuildAsync(LayerFileSet.FromDirectory(_temp.Combine("src")), options);

        var diffId = await LayerExtractor.ExtractAsync(new MemoryStream(bytes), layer.MediaType, _root, "built", CancellationToken.None);

        Assert.Equal(layer.DiffId, diffId);
        Assert.Equal(
            ["app", "app/a.txt", "app/bin", "app/bin/tool", "app/empty", "app/link", "app/sub", "app/sub/deep", "app/sub/deep/x.txt"],
            TestTar.ListTree(_root));
        Assert.Equal("alpha", File.ReadAllText(Path.Combine(_root, "app/a.txt")));
        Assert.Equal("deep", File.ReadAllText(Path.Combine(_root, "app/sub/deep/x.txt")));
        Assert.Equal(Mode0644, File.GetUnixFileMode(Path.Combine(_root, "app/a.txt")));
        Assert.Equal(Mode0755, File.GetUnixFileMode(Path.Combine(_root, "app/bin/tool")));
        Assert.Equal(Mode0755, File.GetUnixFileMode(Path.Combine(_root, "app/sub")));
        Assert.Equal("a.txt", new FileInfo(Path.Combine(_root, "app/link")).LinkTarget);
        Assert.Equal(time.UtcDateTime, File.GetLastWriteTimeUtc(Path.Combine(_root, "app/a.txt")));
        Assert.Equal(time.UtcDateTime, Directory.GetLastWriteTimeUtc(Path.Combine(_root, "app/sub")));
        Assert.Equal(time.ToUnixTimeSeconds().ToString(), StatCommand.Query(Path.Combine(_root, "app/link"), "%Y"));
    }

    [Fact]
    public async Task Extract_diff_id_covers_trailing_padding()
    {
        byte[] tar = [.. TestTar.Create(TestTar.File("a", "a")), .. new byte[8192]];

        var diffId = await TestTar.ExtractAsync(tar, _root);

        Assert.Equal(TestTar.Sha256(tar), diffId);
    }

    [Theory]
    [InlineData(MediaTypes.OciLayerGzip)]
    [InlineData(MediaTypes.DockerLayerGzip)]
    [InlineData("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip")]
    public async Task Extract_reads_gzip_media_types(string mediaType)
    {
        byte[] tar = TestTar.Create(TestTar.File("a.txt", "alpha"));

        var diffId = await LayerExtractor.ExtractAsync(new MemoryStream(TestTar.Gzip(tar)), mediaType, _root, "gz", CancellationToken.None);

        Assert.Equal(TestTar.Sha256(tar), diffId);
        Assert.Equal("alpha", File.ReadAllText(Path.Combine(_root, "a.txt")));
    }

    [Fact]
    public async Task Extract_rejects_gzip_type_for_plain_tar()
    {
        byte[] tar = TestTar.Create(TestTar.File("a.txt", "alpha"));

        var error = await Assert.ThrowsAsync<OciException>(
            () => LayerExtractor.ExtractAsync(new MemoryStream(tar), MediaTypes.OciLayerGzip, _root, "sha256:abc", CancellationToken.None));

        Assert.Equal(ErrorCodes.LayerInvalid, error.Code);
        Assert.Contains("layer sha256:abc", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not start with the gzip magic bytes", error.Message, StringComparison.Ordinal);
        Assert.Empty(TestTar.ListTree(_root));
    }

    [Fact]
    public async Task Extract_rejects_tar_type_for_gzip()
    {
        byte[] blob = TestTar.Gzip(TestTar.Create(TestTar.File("a.txt", "alpha")));

        var error = await Assert.ThrowsAsync<OciException>(
            () => LayerExtractor.ExtractAsync(new MemoryStream(blob), MediaTypes.OciLayer, _root, "plain", CancellationToken.None));

        Assert.Equal(ErrorCodes.LayerInvalid, error.Code);
        Assert.Contains("starts with the gzip magic bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extract_rejects_zstd_content_under_gzip_type()
    {
        byte[] blob = [0x28, 0xB5, 0x2F, 0xFD, 0, 0, 0, 0];

        var error = await Assert.ThrowsAsync<OciException>(
            () => LayerExtractor.ExtractAsync(new MemoryStream(blob), MediaTypes.OciLayerGzip, _root, "mislabeled", CancellationToken.None));

        Assert.Equal(ErrorCodes.LayerInvalid, error.Code);
        Assert.Contains("zstd frame magic bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extract_rejects_unknown_media_type()
    {
        var error = await Assert.ThrowsAsync<OciException>(
            () => LayerExtractor.ExtractAsync(new MemoryStream([]), "application/json", _root, "json", CancellationToken.None));

        Assert.Equal(ErrorCodes.LayerUnsupported, error.Code);
        Assert.Contains("\"application/json\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extract_rejects_corrupt_gzip()
    {
        byte[] blob = TestTar.Gzip(TestTar.Create(TestTar.File("a.txt", new string('a', 5000))));
        blob[blob.Length / 2] ^= 0xFF;
        blob[(blob.Length / 2) + 1] ^= 0xFF;

        var error = await Assert.ThrowsAsync<OciException>(
            () => LayerExtractor.ExtractAsync(new MemoryStream(blob), MediaTypes.OciLayerGzip, _root, "corrupt", CancellationToken.None));

        Assert.Equal(ErrorCodes.LayerInvalid, error.Code);
    }

    [Fact]
    public async Task Extract_rejects_truncated_tar()
    {
        byte[] tar = TestTar.Create(TestTar.File("a.txt", new string('a', 5000)));

        var error = await Assert.ThrowsAsync<OciException>(() => TestTar.ExtractAsync(tar[..2048], _root));

        Assert.Equal(ErrorCodes.LayerInvalid, error.Code);
    }

    [Fact]
    public async Task Extract_applies_special_mode_bits()
    {
        var setuid = (UnixFileMode)0b100_111_101_101;
        var setgid = (UnixFileMode)0b010_111_111_101;
        var sticky = (UnixFileMode)0b001_111_111_111;
        var readOnly = (UnixFileMode)0b101_101_101;
        byte[] tar = TestTar.Create(
            TestTar.File("bin/su", "su", setuid),
            TestTar.Directory("shared", setgid),
            TestTar.Directory("tmp", sticky),
            TestTar.Directory("locked", readOnly),
            TestTar.File("locked/inside", "written before the mode"));

        await TestTar.ExtractAsync(tar, _root);

        Assert.Equal(setuid, File.GetUnixFileMode(Path.Combine(_root, "bin/su")));
        Assert.Equal(setgid, File.GetUnixFileMode(Path.Combine(_root, "shared")));
        Assert.Equal(sticky, File.GetUnixFileMode(Path.Combine(_root, "tmp")));
        Assert.Equal(readOnly, File.GetUnixFileMode(Path.Combine(_root, "locked")));
        Assert.Equal("written before the mode", File.ReadAllText(Path.Combine(_root, "locked/inside")));
        Assert.Equal(TestTar.EntryTime.UtcDateTime, Directory.GetLastWriteTimeUtc(Path.Combine(_root, "locked")));
    }

    [Fact]
    public async Task Extract_sets_owner_when_root()
    {
        var file = TestTar.File("owned", "x");
        file.Uid = 1234;
        file.Gid = 5678;
        var link = TestTar.Symlink("owned-link", "owned");
        link.Uid = 4321;
        link.Gid = 8765;

        await TestTar.ExtractAsync(TestTar.Create(file, link), _root);

        // Without root, chown is not possible, and files keep this process's owner.
        string self = StatCommand.Query(_temp.Path, "%u:%g");
        Assert.Equal(LibC.IsRoot ? "1234:5678" : self, StatCommand.Query(Path.Combine(_root, "owned"), "%u:%g"));
        Assert.Equal(LibC.IsRoot ? "4321:8765" : self, StatCommand.Query(Path.Combine(_root, "owned-link"), "%u:%g"));
    }

    [Fact]
    public async Task Extract_creates_device_nodes_as_root()
    {
        var device = new PaxTarEntry(TarEntryType.CharacterDevice, "dev/null") { DeviceMajor = 1, DeviceMinor = 3, Mode = (UnixFileMode)0b110_110_110 };
        var fifo = new PaxTarEntry(TarEntryType.Fifo, "run/pipe") { Mode = Mode0644 };
        byte[] tar = TestTar.Create(TestTar.Directory("dev"), device, TestTar.Directory("run"), fifo);

        if (!LibC.IsRoot)
        {
            var error = await Assert.ThrowsAsync<OciException>(() => TestTar.ExtractAsync(tar, _root));
            Assert.Equal(ErrorCodes.LayerUnsupported, error.Code);
            Assert.Contains("only root can create device nodes", error.Message, StringComparison.Ordinal);
            return;
        }

        await TestTar.ExtractAsync(tar, _root);

        Assert.Equal("character special file 1 3 666", StatCommand.Query(Path.Combine(_root, "dev/null"), "%F %t %T %a"));
        Assert.Equal("fifo 644", StatCommand.Query(Path.Combine(_root, "run/pipe"), "%F %a"));
    }

    [Fact]
    public async Task Extract_creates_hard_links_in_root()
    {
        byte[] tar = TestTar.Create(TestTar.File("etc/original", "shared content"), TestTar.HardLink("etc/alias", "/etc/original"));

        await TestTar.ExtractAsync(tar, _root);

        string original = Path.Combine(_root, "etc/original");
        string alias = Path.Combine(_root, "etc/alias");
        Assert.Equal(StatCommand.Query(original, "%i"), StatCommand.Query(alias, "%i"));
        Assert.Equal("2", StatCommand.Query(original, "%h"));
    }

    [Fact]
    public async Task Extract_replaces_directory_with_file()
    {
        await TestTar.ExtractAsync(TestTar.Create(TestTar.Directory("x"), TestTar.File("x/inner", "lower")), _root);

        await TestTar.ExtractAsync(TestTar.Create(TestTar.File("x", "upper")), _root);

        Assert.Equal(["x"], TestTar.ListTree(_root));
        Assert.Equal("upper", File.ReadAllText(Path.Combine(_root, "x")));
    }

    [Fact]
    public async Task Extract_replaces_symlink_with_directory()
    {
        await TestTar.ExtractAsync(TestTar.Create(TestTar.File("target/keep", "lower"), TestTar.Symlink("x", "target")), _root);

        await TestTar.ExtractAsync(TestTar.Create(TestTar.Directory("x"), TestTar.File("x/new", "upper")), _root);

        Assert.Equal(["target", "target/keep", "x", "x/new"], TestTar.ListTree(_root));
        Assert.Null(new FileInfo(Path.Combine(_root, "x")).LinkTarget);
    }

    [Fact]
    public async Task Extract_merges_directory_into_directory()
    {
        await TestTar.ExtractAsync(TestTar.Create(TestTar.Directory("d"), TestTar.File("d/old", "lower")), _root);

        await TestTar.ExtractAsync(TestTar.Create(TestTar.Directory("d", (UnixFileMode)0b111_000_000), TestTar.File("d/new", "upper")), _root);

        Assert.Equal(["d", "d/new", "d/old"], TestTar.ListTree(_root));
        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(Path.Combine(_root, "d")));
    }

    [Fact]
    public async Task Extract_replaces_file_with_symlink()
    {
        await TestTar.ExtractAsync(TestTar.Create(TestTar.File("f", "lower")), _root);

        await TestTar.ExtractAsync(TestTar.Create(TestTar.Symlink("f", "elsewhere")), _root);

        Assert.Equal("elsewhere", new FileInfo(Path.Combine(_root, "f")).LinkTarget);
    }

    [Fact]
    public async Task Extract_treats_absolute_names_as_relative()
    {
        byte[] tar = TestTar.Create(TestTar.File("/abs/file", "absolute"), TestTar.File("./dot/file", "dotted"));

        await TestTar.ExtractAsync(tar, _root);

        Assert.Equal("absolute", File.ReadAllText(Path.Combine(_root, "abs/file")));
        Assert.Equal("dotted", File.ReadAllText(Path.Combine(_root, "dot/file")));
    }
}
