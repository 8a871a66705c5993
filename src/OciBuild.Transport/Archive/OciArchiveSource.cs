using OciBuild.Core;
using OciBuild.Transport.Layout;

namespace OciBuild.Transport.Archive;

/// <summary>
/// Reads an image from a tar of an OCI image layout (<c>oci-archive:FILE[:REF]</c>). The archive is
/// unpacked into a temporary folder, deleted on dispose, and read as an <c>oci:</c> layout from there.
/// </summary>
public sealed class OciArchiveSource : IImageSource, IDisposable
{
    private readonly ScratchFolder _folder;
    private readonly OciLayoutSource _layout;

    private OciArchiveSource(ScratchFolder folder, OciLayoutSource layout)
    {
        _folder = folder;
        _layout = layout;
    }

    public string Description => _layout.Description;

    /// <param name="reference">The ref.name to read, or null for the archive's only image.</param>
    public static async Task<OciArchiveSource> OpenAsync(string archivePath, string? reference, CancellationToken cancellationToken)
    {
        var folder = new ScratchFolder("oci-archive");
        try
        {
            await TarFolder.ExtractAsync(archivePath, folder.Path, cancellationToken).ConfigureAwait(false);
            string description = reference is null ? $"oci-archive:{archivePath}" : $"oci-archive:{archivePath}:{reference}";
            var layout = new OciLayoutSource(folder.Path, reference, description);
            return new OciArchiveSource(folder, layout);
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    public Task<ManifestContent> GetManifestAsync(Digest? digest, CancellationToken cancellationToken)
        => _layout.GetManifestAsync(digest, cancellationToken);

    public Task<Stream> OpenBlobAsync(Descriptor blob, CancellationToken cancellationToken)
        => _layout.OpenBlobAsync(blob, cancellationToken);

    public void Dispose() => _folder.Dispose();
}
