using OciBuild.Storage;
using OciBuild.Transport.Store;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Storage;

/// <summary>Writes test images into a local store the way a pull does: through <see cref="ImageCopier"/>.</summary>
internal static class StoreTestImages
{
    /// <summary>Copies <paramref name="image"/> into the store as <c>REPOSITORY:TAG</c> for each tag.</summary>
    public static async Task<StoredImage> AddAsync(LocalImageStore store, TestImage image, string repository, params string[] tags)
    {
        using (await store.LockAsync(CancellationToken.None))
        {
            await new ImageCopier().CopyAsync(new MemoryImageSource(image), new StoreImageDestination(store, repository), tags, null, CancellationToken.None);
        }

        var stored = await store.FindImageAsync($"{repository}:{tags[0]}", CancellationToken.None);
        return stored ?? throw new InvalidOperationException($"the store does not list {repository}:{tags[0]} after the copy");
    }
}
