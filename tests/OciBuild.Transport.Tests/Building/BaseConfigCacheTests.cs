using OciBuild.Core;
using OciBuild.Transport.Building;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Building;

/// <summary>
/// The base image config cache as <see cref="ImageBuilder.ResolveBaseAsync(IImageSource?, Platform, BaseConfigCache?, CancellationToken)"/>
/// uses it. Each publish gets a new source, as a tag is resolved again every time; a source serving
/// another image stands for a tag that moved.
/// </summary>
public sealed class BaseConfigCacheTests : IDisposable
{
    private static readonly Platform Amd64 = new() { Architecture = "amd64", Os = "linux" };

    private readonly TempDirectory _temp = new();
    private readonly TestLogger _logger = new();

    public void Dispose() => _temp.Dispose();

    private string CacheDirectory => Path.Combine(_temp.Path, "base-configs");

    private string CachedPath(TestImage image)
        => Path.Combine(CacheDirectory, $"sha256-{image.ConfigDescriptor.Digest.Encoded}.json");

    private Task<ResolvedBaseImage> ResolveAsync(IImageSource source)
        => ImageBuilder.ResolveBaseAsync(source, Amd64, new BaseConfigCache(CacheDirectory, _logger), CancellationToken.None);

    [Fact]
    public async Task Same_digest_reads_cached_config()
    {
        var image = TestImage.Create();
        await ResolveAsync(new MemoryImageSource(image));
        var again = new MemoryImageSource(image);

        var resolved = await ResolveAsync(again);

        Assert.Empty(again.OpenedBlobs);
        Assert.Equal(image.ConfigBytes, File.ReadAllBytes(CachedPath(image)));
        Assert.Equal(image.Config.RootFs.DiffIds, resolved.Config.RootFs.DiffIds);
        Assert.Equal(image.Manifest.Digest, resolved.ManifestDigest);
    }

    [Fact]
    public async Task Moved_tag_downloads_new_config()
    {
        var before = TestImage.Create();
        var after = TestImage.Create();
        await ResolveAsync(new MemoryImageSource(before));
        var moved = new MemoryImageSource(after);

        var resolved = await ResolveAsync(moved);

        Assert.Equal([after.ConfigDescriptor.Digest], moved.OpenedBlobs);
        Assert.Equal(after.Config.RootFs.DiffIds, resolved.Config.RootFs.DiffIds);
        Assert.Equal(after.Manifest.Digest, resolved.ManifestDigest);
        Assert.Equal(after.ConfigBytes, File.ReadAllBytes(CachedPath(after)));
    }

    [Theory]
    [InlineData("same size")]
    [InlineData("truncated")]
    [InlineData("empty")]
    public async Task Damaged_cached_config_is_downloaded_again(string damage)
    {
        var image = TestImage.Create();
        await ResolveAsync(new MemoryImageSource(image));
        byte[] damaged = damage switch
        {
            "same size" => image.ConfigBytes.Select(b => (byte)(b ^ 0x20)).ToArray(),
            "truncated" => image.ConfigBytes[..^1],
            _ => [],
        };
        File.WriteAllBytes(CachedPath(image), damaged);
        var again = new MemoryImageSource(image);

        var resolved = await ResolveAsync(again);

        Assert.Equal([image.ConfigDescriptor.Digest], again.OpenedBlobs);
        Assert.Equal(image.Config.RootFs.DiffIds, resolved.Config.RootFs.DiffIds);
        Assert.Equal(image.ConfigBytes, File.ReadAllBytes(CachedPath(image)));
    }

    [Fact]
    public async Task RemoveUnused_keeps_only_used_configs()
    {
        var old = TestImage.Create();
        var current = TestImage.Create();
        await ResolveAsync(new MemoryImageSource(old));
        var cache = new BaseConfigCache(CacheDirectory, _logger);
        await ImageBuilder.ResolveBaseAsync(new MemoryImageSource(current), Amd64, cache, CancellationToken.None);

        cache.RemoveUnused();

        Assert.False(File.Exists(CachedPath(old)), "the config of the earlier base image was kept");
        Assert.True(File.Exists(CachedPath(current)), "the config of the current base image was deleted");
    }

    [Fact]
    public async Task Unwritable_cache_still_resolves()
    {
        var image = TestImage.Create();
        // A file where the cache folder should be makes every write fail.
        File.WriteAllText(CacheDirectory, "not a folder");
        var source = new MemoryImageSource(image);

        var resolved = await ResolveAsync(source);

        Assert.Equal([image.ConfigDescriptor.Digest], source.OpenedBlobs);
        Assert.Equal(image.Config.RootFs.DiffIds, resolved.Config.RootFs.DiffIds);
        Assert.Contains("could not cache the base image config", _logger.AllText);
    }
}
