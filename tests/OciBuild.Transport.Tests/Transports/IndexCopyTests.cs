using OciBuild.Core;
using OciBuild.Storage;
using OciBuild.Transport.Layout;
using OciBuild.Transport.Store;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Transports;

/// <summary>ImageCopier.CopyIndexAsync: one image per platform and an index over them, to a layout and to the local store.</summary>
public sealed class IndexCopyTests : IDisposable
{
    private static readonly Platform Amd64 = new() { Architecture = "amd64", Os = "linux" };
    private static readonly Platform Arm64 = new() { Architecture = "arm64", Os = "linux", Variant = "v8" };

    private readonly TempDirectory _temp = new();
    private readonly TestImage _amd64 = TestImage.Create(platform: Amd64);
    private readonly TestImage _arm64 = TestImage.Create(platform: Arm64);

    private string LayoutPath => Path.Combine(_temp.Path, "layout");

    public void Dispose() => _temp.Dispose();

    private IReadOnlyList<(IImageSource, Platform)> Images() =>
    [
        (new MemoryImageSource(_amd64), Amd64),
        (new MemoryImageSource(_arm64), Arm64),
    ];

    [Fact]
    public async Task Index_lists_each_platform()
    {
        var result = await new ImageCopier().CopyIndexAsync(Images(), new OciLayoutDestination(LayoutPath), ["1.0"], CancellationToken.None);

        var top = await new OciLayoutSource(LayoutPath, "1.0").GetManifestAsync(null, CancellationToken.None);
        var index = OciJson.Deserialize<ImageIndex>(top.Bytes, "index");
        Assert.Equal(MediaTypes.OciIndex, top.MediaType);
        Assert.Equal(result.IndexDigest, top.Digest);
        Assert.Equal([_amd64.Manifest.Digest, _arm64.Manifest.Digest], index.Manifests.Select(m => m.Digest));
        Assert.Equal([Amd64, Arm64], index.Manifests.Select(m => m.Platform));
        Assert.Equal([_amd64.ConfigDescriptor.Digest, _arm64.ConfigDescriptor.Digest], result.Images.Select(i => i.ConfigDigest));
    }

    [Fact]
    public async Task Layout_names_only_the_index()
    {
        await new ImageCopier().CopyIndexAsync(Images(), new OciLayoutDestination(LayoutPath), ["a", "b"], CancellationToken.None);

        var layoutIndex = new OciLayout(LayoutPath).ReadIndex();
        Assert.Equal(2, layoutIndex.Manifests.Count);
        Assert.All(layoutIndex.Manifests, m => Assert.Equal(MediaTypes.OciIndex, m.MediaType));
        foreach (var blob in _amd64.Blobs.Keys.Concat(_arm64.Blobs.Keys).Append(_amd64.Manifest.Digest).Append(_arm64.Manifest.Digest))
        {
            Assert.True(File.Exists(Path.Combine(LayoutPath, "blobs", "sha256", blob.Encoded)), $"blob {blob} is missing");
        }
    }

    [Fact]
    public async Task Platform_manifest_resolves_through_index()
    {
        await new ImageCopier().CopyIndexAsync(Images(), new OciLayoutDestination(LayoutPath), ["1.0"], CancellationToken.None);

        var arm64 = await ImageCopier.ResolveManifestAsync(new OciLayoutSource(LayoutPath, "1.0"), Arm64, CancellationToken.None);

        Assert.Equal(_arm64.Manifest.Digest, arm64.Digest);
    }

    [Fact]
    public async Task Store_lists_index_as_one_image()
    {
        var store = new LocalImageStore(Path.Combine(_temp.Path, "store"));
        var destination = new StoreImageDestination(store, "localhost/app");
        store.EnsureCreated();

        var result = await new ImageCopier().CopyIndexAsync(Images(), destination, ["latest"], CancellationToken.None);

        var image = Assert.Single(await store.ListImagesAsync(CancellationToken.None));
        var current = Platform.Current();
        var expected = current.Architecture == "arm64" ? _arm64 : _amd64;
        Assert.Equal(result.IndexDigest, image.Manifest.Digest);
        Assert.Equal(MediaTypes.OciIndex, image.Manifest.MediaType);
        Assert.Equal(["localhost/app:latest"], image.Names);
        Assert.Equal(expected.Manifest.Digest, image.PlatformManifest.Digest);
        Assert.Equal(expected.ConfigDescriptor.Digest, image.Id);
    }

    [Fact]
    public async Task Store_collection_keeps_index_content()
    {
        var store = new LocalImageStore(Path.Combine(_temp.Path, "store"));
        store.EnsureCreated();
        await new ImageCopier().CopyIndexAsync(Images(), new StoreImageDestination(store, "localhost/app"), ["latest"], CancellationToken.None);
        int before = store.Blobs.List().Count();

        int removed = await store.CollectGarbageAsync(CancellationToken.None);

        Assert.Equal(0, removed);
        Assert.Equal(before, store.Blobs.List().Count());
        Assert.True(store.Blobs.Contains(_arm64.Manifest.Digest));
        Assert.True(store.Blobs.Contains(_arm64.ConfigDescriptor.Digest));
    }

    [Fact]
    public async Task Store_removal_collects_index_content()
    {
        var store = new LocalImageStore(Path.Combine(_temp.Path, "store"));
        store.EnsureCreated();
        var result = await new ImageCopier().CopyIndexAsync(Images(), new StoreImageDestination(store, "localhost/app"), ["latest"], CancellationToken.None);

        store.RemoveImage(result.IndexDigest);
        await store.CollectGarbageAsync(CancellationToken.None);

        Assert.Empty(store.Blobs.List());
    }
}
