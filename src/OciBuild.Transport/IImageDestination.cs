using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Transport;

/// <summary>Where an image is written: blobs first, then the manifest under each tag.</summary>
public interface IImageDestination
{
    string Description { get; }

    Task<bool> HasBlobAsync(Descriptor blob, CancellationToken cancellationToken);

    /// <summary>Makes a blob that lives in <paramref name="from"/> available here without moving its bytes. Returns false when that is not possible.</summary>
    Task<bool> TryMountBlobAsync(Descriptor blob, ImageReference from, CancellationToken cancellationToken)
        => Task.FromResult(false);

    /// <summary>Writes a blob read from <paramref name="content"/>, which yields exactly <c>blob.Size</c> bytes.</summary>
    Task PutBlobAsync(Descriptor blob, Stream content, CancellationToken cancellationToken);

    /// <summary>
    /// Returns true when <paramref name="tag"/> already names <paramref name="manifest"/>, so that writing
    /// it again can be skipped. Destinations that cannot tell cheaply return false.
    /// </summary>
    Task<bool> HasManifestAsync(ManifestContent manifest, string tag, CancellationToken cancellationToken)
        => Task.FromResult(false);

    /// <summary>Writes the manifest and points <paramref name="tag"/> at it.</summary>
    Task PutManifestAsync(ManifestContent manifest, string tag, CancellationToken cancellationToken);

    /// <summary>
    /// Writes an image manifest that an index refers to, reachable by its digest and under no tag of its
    /// own. The index itself follows through <see cref="PutManifestAsync"/>.
    /// </summary>
    Task PutIndexedManifestAsync(ManifestContent manifest, CancellationToken cancellationToken)
        => throw new OciException(ErrorCodes.UnsupportedOperation, $"{Description} cannot hold an image index; write a multi-platform image to a registry, the local store or an OCI archive");
}
