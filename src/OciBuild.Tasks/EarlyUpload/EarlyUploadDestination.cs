using OciBuild.Core;
using OciBuild.Transport;

namespace OciBuild.Tasks.EarlyUpload;

/// <summary>
/// A registry destination whose existence check of a blob waits for the early upload of that blob, if
/// there is one. The image copy can then start while early uploads still commit, and it still finds
/// their blobs present instead of uploading them a second time.
/// </summary>
internal sealed class EarlyUploadDestination : IImageDestination
{
    private readonly IImageDestination _inner;
    private readonly EarlyLayerUploads _uploads;

    public EarlyUploadDestination(IImageDestination inner, EarlyLayerUploads uploads)
    {
        _inner = inner;
        _uploads = uploads;
    }

    public string Description => _inner.Description;

    public async Task<bool> HasBlobAsync(Descriptor blob, CancellationToken cancellationToken)
    {
        await _uploads.WhenUploadedAsync(blob.Digest).WaitAsync(cancellationToken).ConfigureAwait(false);
        return await _inner.HasBlobAsync(blob, cancellationToken).ConfigureAwait(false);
    }

    public Task<bool> TryMountBlobAsync(Descriptor blob, ImageReference from, CancellationToken cancellationToken)
        => _inner.TryMountBlobAsync(blob, from, cancellationToken);

    public Task PutBlobAsync(Descriptor blob, Stream content, CancellationToken cancellationToken)
        => _inner.PutBlobAsync(blob, content, cancellationToken);

    public Task<bool> HasManifestAsync(ManifestContent manifest, string tag, CancellationToken cancellationToken)
        => _inner.HasManifestAsync(manifest, tag, cancellationToken);

    public Task PutManifestAsync(ManifestContent manifest, string tag, CancellationToken cancellationToken)
        => _inner.PutManifestAsync(manifest, tag, cancellationToken);

    public Task PutIndexedManifestAsync(ManifestContent manifest, CancellationToken cancellationToken)
        => _inner.PutIndexedManifestAsync(manifest, cancellationToken);
}
