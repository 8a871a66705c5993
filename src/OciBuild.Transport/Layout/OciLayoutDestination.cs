using OciBuild.Core;

namespace OciBuild.Transport.Layout;

/// <summary>
/// Writes images into an OCI image layout (<c>oci:DIR[:REF]</c>), creating the folder when needed.
/// Several images can share one layout under different references; writing a reference again moves
/// it to the new image and keeps the old blobs.
/// </summary>
public sealed class OciLayoutDestination : IImageDestination
{
    private readonly OciLayout _layout;
    private readonly object _indexLock = new();

    public OciLayoutDestination(string root, string? description = null)
    {
        _layout = new OciLayout(root);
        Description = description ?? $"oci:{root}";
    }

    public string Description { get; }

    public Task<bool> HasBlobAsync(Descriptor blob, CancellationToken cancellationToken)
        => Task.FromResult(_layout.HasBlob(blob.Digest));

    public Task PutBlobAsync(Descriptor blob, Stream content, CancellationToken cancellationToken)
    {
        _layout.EnsureCreated();
        return _layout.WriteBlobAsync(blob.Digest, content, cancellationToken);
    }

    // Only the index gets an index.json entry, because skopeo and umoci pick the one entry of a layout
    // that is opened without a reference.
    public Task PutIndexedManifestAsync(ManifestContent manifest, CancellationToken cancellationToken)
    {
        _layout.EnsureCreated();
        return _layout.WriteBlobAsync(manifest.Digest, manifest.Bytes, cancellationToken);
    }

    /// <summary>
    /// Writes the manifest blob and an <c>index.json</c> entry for it, named by <paramref name="tag"/>
    /// through <c>org.opencontainers.image.ref.name</c>; an empty tag adds an entry without a name.
    /// </summary>
    public async Task PutManifestAsync(ManifestContent manifest, string tag, CancellationToken cancellationToken)
    {
        _layout.EnsureCreated();
        await _layout.WriteBlobAsync(manifest.Digest, manifest.Bytes, cancellationToken).ConfigureAwait(false);

        // NOTE: this lock serializes writers in one process only; two processes writing one layout at
        // the same time can lose an index entry.
        lock (_indexLock)
        {
            var index = _layout.ReadIndex();
            var entries = index.Manifests.ToList();
            if (tag.Length > 0)
            {
                entries.RemoveAll(e => OciLayoutSource.RefName(e) == tag);
                entries.Add(manifest.ToDescriptor() with
                {
                    Annotations = new Dictionary<string, string> { [OciLayout.RefNameAnnotation] = tag },
                });
            }
            else if (!entries.Any(e => e.Digest == manifest.Digest && OciLayoutSource.RefName(e) is null))
            {
                entries.Add(manifest.ToDescriptor());
            }

            _layout.WriteIndex(index with { Manifests = entries });
        }
    }
}
