using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Storage;
using OciBuild.Transport.Building;
using OciBuild.Transport.Store;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Storage;

public sealed class LocalImageStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly LocalImageStore _store;

    public LocalImageStoreTests()
    {
        _store = new LocalImageStore(Path.Combine(_temp.Path, "store"));
    }

    public void Dispose() => _temp.Dispose();

    private Task<StoredImage?> FindAsync(string text) => _store.FindImageAsync(text, CancellationToken.None);

    private static ContainerRecord Container(string name, StoredImage image) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Name = name,
        ImageName = image.Names[0],
        ImageId = image.Id,
        ManifestDigest = image.Manifest.Digest,
        Created = DateTimeOffset.UnixEpoch,
    };

    [Theory]
    [InlineData("full name")]
    [InlineData("short name")]
    [InlineData("short name without tag")]
    [InlineData("image ID prefix")]
    [InlineData("full image ID")]
    [InlineData("manifest digest prefix")]
    [InlineData("manifest digest")]
    public async Task FindImage_finds_by(string key)
    {
        var stored = await StoreTestImages.AddAsync(_store, TestImage.Create(), "localhost/app", "latest");
        await StoreTestImages.AddAsync(_store, TestImage.Create(), "localhost/other", "latest");
        string text = key switch
        {
            "full name" => "localhost/app:latest",
            "short name" => "app:latest",
            "short name without tag" => "app",
            "image ID prefix" => stored.Id.Encoded[..12],
            "full image ID" => stored.Id.ToString(),
            "manifest digest prefix" => "sha256:" + stored.Manifest.Digest.Encoded[..10],
            "manifest digest" => stored.Manifest.Digest.ToString(),
            _ => throw new ArgumentOutOfRangeException(nameof(key)),
        };

        var found = await FindAsync(text);

        Assert.Equal(stored.Manifest.Digest, found?.Manifest.Digest);
    }

    [Theory]
    [InlineData("localhost/missing:latest")]
    [InlineData("app:2")]
    [InlineData("quay.io/team/app:latest")]
    [InlineData("0000000000")]
    [InlineData("not a reference")]
    public async Task FindImage_returns_null_for_unknown(string text)
    {
        await StoreTestImages.AddAsync(_store, TestImage.Create(), "localhost/app", "latest");

        Assert.Null(await FindAsync(text));
    }

    [Fact]
    public async Task FindImage_lists_every_name()
    {
        var stored = await StoreTestImages.AddAsync(_store, TestImage.Create(), "localhost/app", "1", "latest");

        Assert.Equal(["localhost/app:1", "localhost/app:latest"], stored.Names.Order());
    }

    [Fact]
    public async Task SetName_moves_name_between_images()
    {
        var first = await StoreTestImages.AddAsync(_store, TestImage.Create(), "localhost/app", "latest");
        var second = await StoreTestImages.AddAsync(_store, TestImage.Create(), "localhost/app", "2");

        _store.SetName(second.Manifest, "localhost/app:latest");

        Assert.Equal(second.Manifest.Digest, (await FindAsync("localhost/app:latest"))?.Manifest.Digest);
        var images = await _store.ListImagesAsync(CancellationToken.None);
        Assert.Equal(["localhost/app:2", "localhost/app:latest"], images.Single(i => i.Manifest.Digest == second.Manifest.Digest).Names.Order());
    }

    [Fact]
    public async Task SetName_keeps_previous_image_unnamed()
    {
        var first = await StoreTestImages.AddAsync(_store, TestImage.Create(), "localhost/app", "latest");
        var second = await StoreTestImages.AddAsync(_store, TestImage.Create(), "localhost/app", "2");

        _store.SetName(second.Manifest, "localhost/app:latest");

        var images = await _store.ListImagesAsync(CancellationToken.None);
        var previous = images.SingleOrDefault(i => i.Manifest.Digest == first.Manifest.Digest);
        Assert.NotNull(previous);
        Assert.Empty(previous.Names);
        Assert.Equal(first.Manifest.Digest, (await FindAsync(first.Id.Encoded[..12]))?.Manifest.Digest);
    }

    [Fact]
    public async Task SetName_gives_unnamed_image_a_name()
    {
        var first = await StoreTestImages.AddAsync(_store, TestImage.Create(), "localhost/app", "latest");
        var second = await StoreTestImages.AddAsync(_store, TestImage.Create(), "localhost/app", "2");
        _store.SetName(second.Manifest, "localhost/app:latest");

        _store.SetName(first.Manifest, "localhost/app:old");

        var images = await _store.ListImagesAsync(CancellationToken.None);
        Assert.Equal(["localhost/app:old"], images.Single(i => i.Manifest.Digest == first.Manifest.Digest).Names);
    }

    [Fact]
    public async Task SetName_twice_records_name_once()
    {
        var stored = await StoreTestImages.AddAsync(_store, TestImage.Create(), "localhost/app", "latest");

        _store.SetName(stored.Manifest, "localhost/app:latest");

        var images = await _store.ListImagesAsync(CancellationToken.None);
        Assert.Equal(["localhost/app:latest"], images.Single().Names);
    }

    [Fact]
    public async Task RemoveName_removes_only_that_name()
    {
        await StoreTestImages.AddAsync(_store, TestImage.Create(), "localhost/app", "1", "latest");

        bool removed = _store.RemoveName("localhost/app:1");

        Assert.True(removed);
        Assert.Null(await FindAsync("localhost/app:1"));
        Assert.NotNull(await FindAsync("localhost/app:latest"));
    }

    [Fact]
    public async Task RemoveName_returns_false_for_unknown()
    {
        await StoreTestImages.AddAsync(_store, TestImage.Create(), "localhost/app", "latest");

        Assert.False(_store.RemoveName("localhost/app:2"));
    }

    [Fact]
    public async Task RemoveImage_removes_every_name()
    {
        var stored = await StoreTestImages.AddAsync(_store, TestImage.Create(), "localhost/app", "1", "latest");

        _store.RemoveImage(stored.Manifest.Digest);

        Assert.Empty(await _store.ListImagesAsync(CancellationToken.None));
    }

    [Theory]
    // Stored names separated by ';', the text a user types, and the name it resolves to ("" for none).
    [InlineData("localhost/app:1", "app:1", "localhost/app:1")]
    [InlineData("localhost/app:latest", "app", "localhost/app:latest")]
    [InlineData("docker.io/library/app:1;localhost/app:1", "app:1", "localhost/app:1")]
    [InlineData("localhost/app:1;docker.io/library/app:1", "app:1", "localhost/app:1")]
    [InlineData("docker.io/library/app:1;localhost/app:1", "docker.io/library/app:1", "docker.io/library/app:1")]
    [InlineData("docker.io/library/app:1;localhost/app:1", "localhost/app:1", "localhost/app:1")]
    [InlineData("docker.io/library/app:1", "app:1", "docker.io/library/app:1")]
    [InlineData("quay.io/team/app:1", "team/app:1", "quay.io/team/app:1")]
    [InlineData("quay.io/team/app:1;registry.test/team/app:1", "team/app:1", "")]
    [InlineData("quay.io/team/app:1;registry.test/team/app:1;localhost/team/app:1", "team/app:1", "localhost/team/app:1")]
    [InlineData("localhost/app:1", "app:2", "")]
    [InlineData("localhost/app:1", "quay.io/app:1", "")]
    [InlineData("localhost/app:1", "localhost/app:2", "")]
    [InlineData("localhost/app:1", "Invalid Name", "")]
    public void ResolveName_picks(string storedNames, string text, string expected)
    {
        string? resolved = LocalImageStore.ResolveName(storedNames.Split(';'), text);

        Assert.Equal(expected, resolved ?? "");
    }

    [Fact]
    public void ResolveName_resolves_digest_reference()
    {
        string digest = "sha256:" + new string('a', 64);

        string? resolved = LocalImageStore.ResolveName([$"localhost/app@{digest}"], $"app@{digest}");

        Assert.Equal($"localhost/app@{digest}", resolved);
    }

    [Fact]
    public void NewContainerName_starts_without_suffix()
    {
        Assert.Equal("app-working-container", _store.NewContainerName("app"));
    }

    [Fact]
    public async Task NewContainerName_adds_free_suffix()
    {
        var image = await StoreTestImages.AddAsync(_store, TestImage.Create(), "localhost/app", "latest");
        _store.AddContainer(Container("app-working-container", image));
        _store.AddContainer(Container("app-working-container-1", image));

        Assert.Equal("app-working-container-2", _store.NewContainerName("app"));
    }

    [Fact]
    public async Task AddContainer_rejects_duplicate_name()
    {
        var image = await StoreTestImages.AddAsync(_store, TestImage.Create(), "localhost/app", "latest");
        _store.AddContainer(Container("app-working-container", image));

        var error = Assert.Throws<OciException>(() => _store.AddContainer(Container("app-working-container", image)));

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.Contains("app-working-container", error.Message);
        Assert.Single(_store.ListContainers());
    }

    [Fact]
    public async Task FindContainer_finds_by_name_and_id_prefix()
    {
        var image = await StoreTestImages.AddAsync(_store, TestImage.Create(), "localhost/app", "latest");
        var container = Container("app-working-container", image);
        _store.AddContainer(container);

        Assert.Equal(container.Id, _store.FindContainer("app-working-container").Id);
        Assert.Equal(container.Id, _store.FindContainer(container.Id[..6]).Id);
    }

    [Fact]
    public void FindContainer_raises_for_unknown()
    {
        var error = Assert.Throws<NotFoundException>(() => _store.FindContainer("missing"));

        Assert.Equal(ErrorCodes.ContainerNotFound, error.Code);
    }

    [Fact]
    public async Task CollectGarbage_keeps_referenced_blobs()
    {
        var imageToKeep = TestImage.Create();
        var imageToRemove = TestImage.Create();
        await StoreTestImages.AddAsync(_store, imageToKeep, "localhost/kept", "latest");
        var storedToRemove = await StoreTestImages.AddAsync(_store, imageToRemove, "localhost/removed", "latest");
        _store.RemoveImage(storedToRemove.Manifest.Digest);

        await _store.CollectGarbageAsync(CancellationToken.None);

        Assert.True(_store.Blobs.Contains(imageToKeep.Manifest.Digest));
        Assert.All(imageToKeep.Blobs.Keys, d => Assert.True(_store.Blobs.Contains(d), $"referenced blob {d} was deleted"));
    }

    [Fact]
    public async Task CollectGarbage_removes_unreferenced_blobs()
    {
        var imageToRemove = TestImage.Create(layerCount: 2);
        await StoreTestImages.AddAsync(_store, TestImage.Create(), "localhost/kept", "latest");
        var storedToRemove = await StoreTestImages.AddAsync(_store, imageToRemove, "localhost/removed", "latest");
        _store.RemoveImage(storedToRemove.Manifest.Digest);
        byte[] stray = "a blob no image refers to"u8.ToArray();
        await _store.Blobs.PutAsync(Digest.Compute(stray), stray, CancellationToken.None);

        int count = await _store.CollectGarbageAsync(CancellationToken.None);

        // The manifest, the config, two layers and the stray blob.
        Assert.Equal(5, count);
        Assert.False(_store.Blobs.Contains(imageToRemove.Manifest.Digest));
        Assert.All(imageToRemove.Blobs.Keys, d => Assert.False(_store.Blobs.Contains(d), $"unreferenced blob {d} is still there"));
        Assert.False(_store.Blobs.Contains(Digest.Compute(stray)));
    }

    [Fact]
    public async Task CollectGarbage_keeps_shared_layers()
    {
        var image = TestImage.Create();
        await StoreTestImages.AddAsync(_store, image, "localhost/kept", "latest");
        // An image on top of the first one with only a new config: both refer to the same layers.
        var settings = new ImageSettings { Labels = new Dictionary<string, string> { ["derived"] = "true" } };
        var derived = await ImageBuilder.BuildAsync(new MemoryImageSource(image), "localhost/kept:latest", image.Config.Platform, settings, [], CancellationToken.None);
        using (await _store.LockAsync(CancellationToken.None))
        {
            await new ImageCopier().CopyAsync(derived, new StoreImageDestination(_store, "localhost/derived"), ["latest"], null, CancellationToken.None);
        }

        _store.RemoveImage(derived.Manifest.Digest);

        int count = await _store.CollectGarbageAsync(CancellationToken.None);

        Assert.All(image.Blobs.Keys, d => Assert.True(_store.Blobs.Contains(d), $"shared blob {d} was deleted"));
        // Only the derived image's manifest and config go.
        Assert.Equal(2, count);
    }

    [Fact]
    public async Task CollectGarbage_removes_interrupted_writes()
    {
        await StoreTestImages.AddAsync(_store, TestImage.Create(), "localhost/app", "latest");
        string leftover = Path.Combine(_store.Root, "blobs", "sha256", ".tmp-0123456789ab-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(leftover, "half a blob");

        await _store.CollectGarbageAsync(CancellationToken.None);

        Assert.False(File.Exists(leftover));
    }

    [Fact]
    public async Task CollectGarbage_on_empty_store_removes_nothing()
    {
        Assert.Equal(0, await _store.CollectGarbageAsync(CancellationToken.None));
    }
}
