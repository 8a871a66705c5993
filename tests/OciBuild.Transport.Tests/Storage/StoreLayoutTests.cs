using OciBuild.Storage;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Storage;

/// <summary>The store is an OCI image layout, so skopeo, which knows nothing of OciBuild, reads its images as <c>oci:ROOT:NAME</c>.</summary>
public sealed class StoreLayoutTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Skopeo_reads_stored_image()
    {
        var store = new LocalImageStore(Path.Combine(_temp.Path, "store"));
        var image = TestImage.Create(layerCount: 3);
        await StoreTestImages.AddAsync(store, image, "localhost/app", "1");

        var inspected = await Skopeo.InspectAsync($"oci:{store.Root}:localhost/app:1");

        Assert.Equal(image.Manifest.Digest.ToString(), inspected.Digest);
        Assert.Equal(image.Layers.Select(l => l.Descriptor.Digest.ToString()), inspected.Layers);
    }

    [Fact]
    public async Task Skopeo_reads_each_name()
    {
        var store = new LocalImageStore(Path.Combine(_temp.Path, "store"));
        var first = TestImage.Create();
        var second = TestImage.Create();
        await StoreTestImages.AddAsync(store, first, "localhost/app", "1");
        await StoreTestImages.AddAsync(store, second, "registry.test/team/app", "2");

        var inspectedFirst = await Skopeo.InspectAsync($"oci:{store.Root}:localhost/app:1");
        var inspectedSecond = await Skopeo.InspectAsync($"oci:{store.Root}:registry.test/team/app:2");

        Assert.Equal(first.Manifest.Digest.ToString(), inspectedFirst.Digest);
        Assert.Equal(second.Manifest.Digest.ToString(), inspectedSecond.Digest);
    }
}
