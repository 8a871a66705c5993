using OciBuild.Core;

namespace OciBuild.Transport.Registry;

/// <summary>Writes an image to a registry repository (<c>docker://</c>).</summary>
public sealed class RegistryImageDestination : IImageDestination
{
    private readonly RegistryClient _client;

    public RegistryImageDestination(RegistryClient client, ImageReference reference)
    {
        _client = client;
        Reference = reference;
    }

    public ImageReference Reference { get; }

    public string Description => $"docker://{Reference.Name}";

    public Task<bool> HasBlobAsync(Descriptor blob, CancellationToken cancellationToken)
        => _client.HasBlobAsync(Reference.Repository, blob.Digest, cancellationToken);

    public async Task<bool> TryMountBlobAsync(Descriptor blob, ImageReference from, CancellationToken cancellationToken)
    {
        // Mounts work only inside one registry; between registries the bytes have to travel.
        if (from.Registry != Reference.Registry || from.Repository == Reference.Repository)
        {
            return false;
        }

        return await _client.MountBlobAsync(Reference.Repository, blob.Digest, from.Repository, cancellationToken).ConfigureAwait(false);
    }

    public Task PutBlobAsync(Descriptor blob, Stream content, CancellationToken cancellationToken)
        => _client.UploadBlobAsync(Reference.Repository, blob, content, cancellationToken);

    public async Task<bool> HasManifestAsync(ManifestContent manifest, string tag, CancellationToken cancellationToken)
        => await _client.GetManifestDigestAsync(Reference.Repository, tag, cancellationToken).ConfigureAwait(false) == manifest.Digest;

    public Task PutManifestAsync(ManifestContent manifest, string tag, CancellationToken cancellationToken)
        => _client.PutManifestAsync(Reference.Repository, tag, manifest, cancellationToken);

    public Task PutIndexedManifestAsync(ManifestContent manifest, CancellationToken cancellationToken)
        => _client.PutManifestAsync(Reference.Repository, manifest.Digest.ToString(), manifest, cancellationToken);
}
