using OciBuild.Core;

namespace OciBuild.Transport.Tests.Support;

/// <summary>Passes every call to another destination and counts the blobs that were uploaded or mounted.</summary>
internal sealed class CountingDestination : IImageDestination
{
    private readonly IImageDestination _inner;
    private int _uploads;
    private int _mounts;

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

    public Task PutManifestAsync(ManifestContent manifest, string tag, CancellationToken cancellationToken)
        => _inner.PutManifestAsync(manifest, tag, cancellationToken);
}
