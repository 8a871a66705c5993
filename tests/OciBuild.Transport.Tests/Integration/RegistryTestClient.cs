using OciBuild.Core;
using OciBuild.Storage;
using OciBuild.Transport.Registry;
using OciBuild.Transport.Store;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Integration;

/// <summary>A registry client for one test, with the logger that records its traffic, and push and pull helpers.</summary>
internal sealed class RegistryTestClient : IDisposable
{
    public RegistryTestClient(RegistryFixture registry, RegistryOptions options)
    {
        Registry = registry;
        Logger = new TestLogger();
        Client = new RegistryClient(registry.Address, options with { Logger = Logger });
    }

    public RegistryFixture Registry { get; }

    public TestLogger Logger { get; }

    public RegistryClient Client { get; }

    public void Dispose() => Client.Dispose();

    public RegistryImageDestination Destination(string repository, string tag = "latest")
        => new(Client, Registry.Reference(repository, tag));

    public RegistryImageSource Source(string repository, string tag = "latest")
        => new(Client, Registry.Reference(repository, tag));

    /// <summary>Pushes <paramref name="image"/> from memory to <paramref name="repository"/> under each tag.</summary>
    public Task<CopyResult> PushAsync(TestImage image, string repository, params string[] tags)
        => PushAsync(image, Destination(repository), tags);

    public Task<CopyResult> PushAsync(TestImage image, IImageDestination destination, params string[] tags)
        => new ImageCopier(Logger).CopyAsync(new MemoryImageSource(image), destination, tags.Length == 0 ? ["latest"] : tags, null, CancellationToken.None);

    /// <summary>Pulls <c>REPOSITORY:TAG</c> into <paramref name="store"/> under its full name and returns the stored image.</summary>
    public async Task<StoredImage> PullAsync(LocalImageStore store, string repository, string tag)
    {
        var reference = Registry.Reference(repository, tag);
        using (await store.LockAsync(CancellationToken.None))
        {
            await new ImageCopier(Logger).CopyAsync(Source(repository, tag), new StoreImageDestination(store, reference.Name), [tag], null, CancellationToken.None);
        }

        return await store.FindImageAsync(reference.ToString(), CancellationToken.None)
               ?? throw new InvalidOperationException($"the store does not list {reference} after the pull");
    }

    public async Task<byte[]> ReadBlobAsync(string repository, Descriptor blob)
    {
        await using var stream = await Client.OpenBlobAsync(repository, blob, CancellationToken.None);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}
