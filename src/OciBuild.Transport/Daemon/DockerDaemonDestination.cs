using OciBuild.Core;
using OciBuild.Transport.Archive;

namespace OciBuild.Transport.Daemon;

/// <summary>
/// Writes an image into a Docker engine (<c>docker-daemon:NAME:TAG</c>): the image is staged as a
/// <c>docker save</c> archive in a temporary folder and sent to <c>POST /images/load</c> at every manifest write.
/// </summary>
public sealed class DockerDaemonDestination : IImageDestination, IDisposable
{
    private readonly DockerDaemonClient _client;
    private readonly ScratchFolder _folder = new("docker-daemon");
    private readonly DockerArchiveDestination _archive;

    public DockerDaemonDestination(DockerDaemonClient client, ImageReference reference)
    {
        _client = client;
        _archive = new DockerArchiveDestination(Path.Combine(_folder.Path, "image.tar"), reference);
        Description = $"docker-daemon:{reference}";
    }

    public string Description { get; }

    public Task<bool> HasBlobAsync(Descriptor blob, CancellationToken cancellationToken)
        => _archive.HasBlobAsync(blob, cancellationToken);

    public Task PutBlobAsync(Descriptor blob, Stream content, CancellationToken cancellationToken)
        => _archive.PutBlobAsync(blob, content, cancellationToken);

    public async Task PutManifestAsync(ManifestContent manifest, string tag, CancellationToken cancellationToken)
    {
        await _archive.PutManifestAsync(manifest, tag, cancellationToken).ConfigureAwait(false);
        await _client.LoadAsync(_archive.ArchivePath, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _archive.Dispose();
        _folder.Dispose();
    }
}
