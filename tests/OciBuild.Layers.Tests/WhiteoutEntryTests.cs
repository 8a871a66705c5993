using System.Formats.Tar;

namespace OciBuild.Layers.Tests;

/// <summary>Whiteout entries that <see cref="LayerBuilder"/> writes, and how an extractor applies them.</summary>
public sealed class WhiteoutEntryTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Whiteout_becomes_empty_wh_file()
    {
        LayerFile[] files =
        [
            new("etc/motd", "", LayerFileKind.Whiteout),
            new("top", "", LayerFileKind.Whiteout),
        ];

        var (_, bytes) = await LayerBuilderTests.BuildAsync(files, new LayerOptions { DestinationDirectory = "/" });
        var entries = LayerBuilderTests.ReadEntries(bytes);

        Assert.Equal([".wh.top", "etc/", "etc/.wh.motd"], entries.Select(e => e.Name));
        Assert.All(entries.Where(e => e.Name.Contains(".wh.")), e => Assert.Equal(TarEntryType.RegularFile, e.EntryType));
        Assert.All(entries.Where(e => e.Name.Contains(".wh.")), e => Assert.Equal(0, e.Length));
    }

    [Fact]
    public async Task Opaque_whiteout_goes_inside_directory()
    {
        string source = _temp.WriteFile("new", "new content");
        LayerFile[] files =
        [
            new("var/cache", "", LayerFileKind.Directory),
            new("var/cache", "", LayerFileKind.OpaqueWhiteout),
            new("var/cache/new", source, LayerFileKind.File),
        ];

        var (_, bytes) = await LayerBuilderTests.BuildAsync(files, new LayerOptions { DestinationDirectory = "/" });

        Assert.Equal(["var/", "var/cache/", "var/cache/.wh..wh..opq", "var/cache/new"], LayerBuilderTests.ReadEntries(bytes).Select(e => e.Name));
    }

    [Fact]
    public async Task Built_whiteouts_hide_lower_files()
    {
        string root = _temp.Combine("rootfs");
        await TestTar.ExtractAsync(
            TestTar.Create(TestTar.File("etc/motd", "lower"), TestTar.File("etc/keep", "lower"), TestTar.File("cache/old", "lower")),
            root);
        string source = _temp.WriteFile("new", "new content");
        LayerFile[] files =
        [
            new("etc/motd", "", LayerFileKind.Whiteout),
            new("cache", "", LayerFileKind.OpaqueWhiteout),
            new("cache/new", source, LayerFileKind.File),
        ];

        var (layer, bytes) = await LayerBuilderTests.BuildAsync(files, new LayerOptions { DestinationDirectory = "/" });
        await using var blob = new MemoryStream(bytes);
        await LayerExtractor.ExtractAsync(blob, layer.MediaType, root, "built layer", CancellationToken.None);

        Assert.Equal(["cache", "cache/new", "etc", "etc/keep"], TestTar.ListTree(root));
    }
}
