using OciBuild.Core;
using OciBuild.Transport.Layout;

namespace OciBuild.Transport.Archive;

/// <summary>
/// Writes an image as a tar of an OCI image layout (<c>oci-archive:FILE[:REF]</c>). Blobs are staged in
/// a temporary layout. Every manifest write packs that layout into a temporary file beside FILE and
/// renames it over FILE, so FILE is always either the old archive or a complete new one. An existing
/// FILE is replaced, not added to.
/// </summary>
public sealed class OciArchiveDestination : IImageDestination, IDisposable
{
    private readonly string _archivePath;
    private readonly ScratchFolder _staging = new("oci-archive");
    private readonly OciLayoutDestination _layout;

    public OciArchiveDestination(string archivePath)
    {
        _archivePath = archivePath;
        _layout = new OciLayoutDestination(_staging.Path);
        Description = $"oci-archive:{archivePath}";
    }

    public string Description { get; }

    public Task<bool> HasBlobAsync(Descriptor blob, CancellationToken cancellationToken)
        => _layout.HasBlobAsync(blob, cancellationToken);

    public Task PutBlobAsync(Descriptor blob, Stream content, CancellationToken cancellationToken)
        => _layout.PutBlobAsync(blob, content, cancellationToken);

    /// <summary>Adds the manifest under <paramref name="tag"/> (empty: no reference) and rewrites the archive.</summary>
    public async Task PutManifestAsync(ManifestContent manifest, string tag, CancellationToken cancellationToken)
    {
        await _layout.PutManifestAsync(manifest, tag, cancellationToken).ConfigureAwait(false);
        await TarFolder.WriteAsync(_staging.Path, _archivePath, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stages the manifest; the archive is written when the index that refers to it is.</summary>
    public Task PutIndexedManifestAsync(ManifestContent manifest, CancellationToken cancellationToken)
        => _layout.PutIndexedManifestAsync(manifest, cancellationToken);

    public void Dispose() => _staging.Dispose();
}
