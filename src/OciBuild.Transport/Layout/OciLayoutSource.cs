using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Transport.Layout;

/// <summary>
/// Reads an image from an OCI image layout (<c>oci:DIR[:REF]</c>). The image is the <c>index.json</c>
/// entry whose <c>org.opencontainers.image.ref.name</c> is REF, or the only entry when no REF is given.
/// An entry may itself be an index, which <see cref="ImageCopier"/> resolves to one platform.
/// </summary>
public sealed class OciLayoutSource : IImageSource
{
    private readonly OciLayout _layout;
    private readonly string? _reference;

    /// <param name="reference">The ref.name to read, or null for the layout's only image.</param>
    public OciLayoutSource(string root, string? reference, string? description = null)
    {
        _layout = new OciLayout(root);
        _reference = reference;
        Description = description ?? (reference is null ? $"oci:{root}" : $"oci:{root}:{reference}");
    }

    public string Description { get; }

    /// <summary>Returns the <c>index.json</c> entry this source reads.</summary>
    /// <exception cref="NotFoundException">No entry has the requested reference.</exception>
    /// <exception cref="OciException">No reference was given and the layout contains zero or several images.</exception>
    public Descriptor FindEntry()
    {
        var entries = _layout.ReadIndex().Manifests;
        string available = DescribeEntries(entries);
        if (_reference is null)
        {
            return entries.Count switch
            {
                1 => entries[0],
                0 => throw new NotFoundException(ErrorCodes.ImageNotFound, $"no image found in {Description}: its index.json is empty"),
                _ => throw new OciException(ErrorCodes.AmbiguousImage, $"{Description} contains {entries.Count} images, so add :REF to the name, with REF one of: {available}"),
            };
        }

        var matches = entries.Where(e => RefName(e) == _reference).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new NotFoundException(ErrorCodes.ImageNotFound, $"image not found in {Description}: no index.json entry has the reference \"{_reference}\"; the layout contains {available}"),
            _ => throw new OciException(ErrorCodes.AmbiguousImage, $"{Description}: {matches.Count} images have the reference \"{_reference}\""),
        };
    }

    public async Task<ManifestContent> GetManifestAsync(Digest? digest, CancellationToken cancellationToken)
    {
        if (digest is not null)
        {
            byte[] bytes = await _layout.ReadBlobAsync(digest.Value, cancellationToken).ConfigureAwait(false);
            return ManifestContent.FromBytes(bytes, null);
        }

        var entry = FindEntry();
        if (!MediaTypes.IsManifest(entry.MediaType) && !MediaTypes.IsIndex(entry.MediaType))
        {
            throw new OciException(ErrorCodes.InvalidManifest, $"{Description}: the entry {entry.Digest} has media type {entry.MediaType}, which is not an image manifest or index");
        }

        byte[] content = await _layout.ReadBlobAsync(entry.Digest, cancellationToken).ConfigureAwait(false);
        if (content.LongLength != entry.Size)
        {
            throw new OciException(ErrorCodes.DigestMismatch, $"{Description}: manifest {entry.Digest} is {content.LongLength} bytes, but its index.json entry has size {entry.Size}");
        }

        return ManifestContent.FromBytes(content, entry.MediaType);
    }

    public Task<Stream> OpenBlobAsync(Descriptor blob, CancellationToken cancellationToken)
        => Task.FromResult(_layout.OpenBlob(blob));

    internal static string? RefName(Descriptor entry)
        => entry.Annotations is not null && entry.Annotations.TryGetValue(OciLayout.RefNameAnnotation, out string? name) ? name : null;

    private static string DescribeEntries(IReadOnlyList<Descriptor> entries)
        => entries.Count == 0 ? "no images" : string.Join(", ", entries.Select(e => RefName(e) ?? $"(no reference) {e.Digest}"));
}
