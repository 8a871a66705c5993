using OciBuild.Core;

namespace OciBuild.Transport.Tests.Support;

/// <summary>Passes every call to another destination and counts the blobs uploaded or mounted and the manifests written.</summary>
internal sealed class CountingDestination : IImageDestination
{
    private readonly IImageDestination _inner;
    private int _uploads;
    private int _mounts;
    private int _manifestWrites;

    public CountingDestination(IImageDestination inner)
    {
        _inner = inner;
    }

    public string Description => _inner.Description;

    /// <summary>The number of <see cref="PutBlobAsync"/> calls.</summary>
    public int Uploads => _uploads;

    /// <summary>The number of mounts the inner destination accepted.</summary>
    public int Mounts => _mounts;

    public Task<bool> HasBlobAsync(Descriptor blob, CancellationToken cancellationToken)
        => _inner.HasBlobAsync(blob, cancellationToken);

    public async Task<bool> TryMountBlobAsync(Descriptor blob, ImageReference from, CancellationToken cancellationToken)
    {
        bool mounted = await _inner.TryMountBlobAsync(blob, from, cancellationToken);
        if (mounted)
        {
            Interlocked.Increment(ref _mounts);
        }

        return mounted;
    }

    public Task PutBlobAsync(Descriptor blob, Stream content, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _uploads);
        return _inner.PutBlobAsync(blob, content, cancellationToken);
    }

    /// <summary>The number of <see cref="PutManifestAsync"/> calls.</summary>
    public int ManifestWrites => _manifestWrites;

    public Task<bool> HasManifestAsync(ManifestContent manifest, string tag, CancellationToken cancellationToken)
        => _inner.HasManifestAsync(manifest, tag, cancellationToken);

    public Task PutManifestAsync(ManifestContent manifest, string tag, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _manifestWrites);
        return _inner.PutManifestAsync(manifest, tag, cancellationToken);
    }
}
