using OciBuild.Core;
using OciBuild.Storage;

namespace OciBuild.Transport.Store;

/// <summary>Reads an image from the local store (<c>containers-storage:</c>).</summary>
public sealed class StoreImageSource : IImageSource
{
    private readonly LocalImageStore _store;
    private readonly StoredImage _image;

    public StoreImageSource(LocalImageStore store, StoredImage image, string requestedName)
    {
        _store = store;
        _image = image;
        Description = $"containers-storage:{requestedName}";
    }

    public string Description { get; }

    public async Task<ManifestContent> GetManifestAsync(Digest? digest, CancellationToken cancellationToken)
    {
        var descriptor = _image.Manifest;
        byte[] bytes = await _store.Blobs.ReadAllAsync(digest ?? descriptor.Digest, cancellationToken).ConfigureAwait(false);
        return ManifestContent.FromBytes(bytes, digest is null ? descriptor.MediaType : null);
    }

    public Task<Stream> OpenBlobAsync(Descriptor blob, CancellationToken cancellationToken)
        => Task.FromResult(_store.Blobs.Open(blob.Digest, blob.Size));
}
