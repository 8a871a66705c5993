using OciBuild.Core;
using OciBuild.Storage;

namespace OciBuild.Transport.Store;

/// <summary>
/// Writes an image to the local store under <c>REGISTRY/REPOSITORY:TAG</c> names. Callers hold the
/// store's lock for the whole copy, so that a concurrent removal cannot collect blobs in between.
/// </summary>
public sealed class StoreImageDestination : IImageDestination
{
    private readonly LocalImageStore _store;

    /// <param name="name">The registry and repository to record, such as <c>localhost/helloecho</c>.</param>
    public StoreImageDestination(LocalImageStore store, string name)
    {
        _store = store;
        Name = name;
    }

    public string Name { get; }

    public string Description => $"containers-storage:{Name}";

    public Task<bool> HasBlobAsync(Descriptor blob, CancellationToken cancellationToken)
        => Task.FromResult(_store.Blobs.Contains(blob.Digest));

    public Task PutBlobAsync(Descriptor blob, Stream content, CancellationToken cancellationToken)
        => _store.Blobs.PutAsync(blob.Digest, content, cancellationToken);

    public async Task PutManifestAsync(ManifestContent manifest, string tag, CancellationToken cancellationToken)
    {
        await _store.Blobs.PutAsync(manifest.Digest, manifest.Bytes, cancellationToken).ConfigureAwait(false);
        string name = Core.Digest.TryParse(tag, out _) ? $"{Name}@{tag}" : $"{Name}:{tag}";
        _store.SetName(manifest.ToDescriptor(), name);
    }

    // The store's index.json lists only the index, under its names. The manifests it refers to stay out
    // of it, so they do not show up as unnamed images, and garbage collection keeps them through the index.
    public Task PutIndexedManifestAsync(ManifestContent manifest, CancellationToken cancellationToken)
        => _store.Blobs.PutAsync(manifest.Digest, manifest.Bytes, cancellationToken);
}
