using OciBuild.Core;
using OciBuild.Transport.Archive;

namespace OciBuild.Transport.Daemon;

/// <summary>
/// Reads an image from a Docker engine (<c>docker-daemon:NAME:TAG</c> or <c>docker-daemon:sha256:ID</c>)
/// through <c>GET /images/NAME/get</c>, saved to a temporary file and read as a docker-archive.
/// </summary>
public sealed class DockerDaemonSource : IImageSource, IDisposable
{
    private readonly ScratchFolder _folder;
    private readonly DockerArchiveSource _archive;

    private DockerDaemonSource(ScratchFolder folder, DockerArchiveSource archive)
    {
        _folder = folder;
        _archive = archive;
    }

    public string Description => _archive.Description;

    /// <param name="reference">The image's name; null when <paramref name="imageId"/> names it.</param>
    public static async Task<DockerDaemonSource> OpenAsync(DockerDaemonClient client, ImageReference? reference, Digest? imageId, CancellationToken cancellationToken)
    {
        string name = reference?.ToString() ?? imageId?.ToString() ?? throw new ArgumentException("a name or an image ID is required", nameof(reference));
        var folder = new ScratchFolder("docker-daemon");
        try
        {
            string archivePath = Path.Combine(folder.Path, "image.tar");
            await client.SaveAsync(name, archivePath, cancellationToken).ConfigureAwait(false);

            // Saving by ID gives an archive of one image under all of its names, so it is read without a name.
            var archive = await DockerArchiveSource.OpenAsync(archivePath, reference, $"docker-daemon:{name}", cancellationToken).ConfigureAwait(false);
            return new DockerDaemonSource(folder, archive);
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    public Task<ManifestContent> GetManifestAsync(Digest? digest, CancellationToken cancellationToken)
        => _archive.GetManifestAsync(digest, cancellationToken);

    public Task<Stream> OpenBlobAsync(Descriptor blob, CancellationToken cancellationToken)
        => _archive.OpenBlobAsync(blob, cancellationToken);

    public void Dispose()
    {
        _archive.Dispose();
        _folder.Dispose();
    }
}
