using OciBuild.Core;

namespace OciBuild.Transport;

/// <summary>
/// Where an image is read from. Reading a manifest never downloads a layer; blobs are opened one at a
/// time, and every stream a source returns verifies the blob's digest and size by its end.
/// </summary>
public interface IImageSource
{
    /// <summary>The source as a user would write it, for messages, such as <c>docker://localhost:5000/app:1</c>.</summary>
    string Description { get; }

    /// <summary>Returns the top-level manifest or index when <paramref name="digest"/> is null, else that manifest.</summary>
    Task<ManifestContent> GetManifestAsync(Digest? digest, CancellationToken cancellationToken);

    Task<Stream> OpenBlobAsync(Descriptor blob, CancellationToken cancellationToken);

    /// <summary>
    /// The registry repository that holds <paramref name="blob"/>, so that a destination in the same
    /// registry can mount it instead of receiving its bytes; null when the blob is not in a registry.
    /// </summary>
    ImageReference? GetBlobLocation(Descriptor blob) => null;
}
