using OciBuild.Core;

namespace OciBuild.Transport.Registry;

/// <summary>Reads an image from a registry repository (<c>docker://</c>).</summary>
public sealed class RegistryImageSource : IImageSource
{
    private readonly RegistryClient _client;

    public RegistryImageSource(RegistryClient client, ImageReference reference)
    {
        _client = client;
        Reference = reference;
    }

    public ImageReference Reference { get; }

    public string Description => $"docker://{Reference}";

    public Task<ManifestContent> GetManifestAsync(Digest? digest, CancellationToken cancellationToken)
        => _client.GetManifestAsync(Reference.Repository, digest?.ToString() ?? Reference.TagOrDigest, cancellationToken);

    public Task<Stream> OpenBlobAsync(Descriptor blob, CancellationToken cancellationToken)
        => _client.OpenBlobAsync(Reference.Repository, blob, cancellationToken);

    public ImageReference? GetBlobLocation(Descriptor blob) => Reference;
}
