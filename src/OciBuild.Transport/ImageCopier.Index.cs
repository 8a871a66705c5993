using Microsoft.Extensions.Logging;
using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Transport;

public sealed partial class ImageCopier
{
    /// <summary>
    /// Copies one image per platform and writes an OCI image index that lists each manifest with its
    /// platform, tagged with every entry of <paramref name="tags"/>. Each image's blobs and manifest are
    /// in place before the index is written, so a reader of a tag never meets a missing manifest.
    /// </summary>
    /// <param name="images">The images, each the top-level manifest of its source, in the order the index lists them.</param>
    public async Task<IndexCopyResult> CopyIndexAsync(IReadOnlyList<(IImageSource Image, Platform Platform)> images, IImageDestination destination, IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        if (tags.Count == 0)
        {
            throw new ArgumentException("at least one tag is required", nameof(tags));
        }

        if (images.Count == 0)
        {
            throw new ArgumentException("an index needs at least one image", nameof(images));
        }

        var entries = new List<Descriptor>();
        var copies = new List<CopyResult>();
        foreach (var (image, platform) in images)
        {
            var manifestContent = await image.GetManifestAsync(null, cancellationToken).ConfigureAwait(false);
            if (manifestContent.IsIndex)
            {
                throw new OciException(ErrorCodes.UnsupportedOperation, $"{image.Description} is an index, but an index entry for {platform} has to be an image manifest");
            }

            var manifest = OciJson.Deserialize<ImageManifest>(manifestContent.Bytes, $"manifest of {image.Description}");
            await CopyBlobsAsync(image, destination, manifest, cancellationToken).ConfigureAwait(false);
            await destination.PutIndexedManifestAsync(manifestContent, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("wrote manifest {Digest} for {Platform} to {Destination}", manifestContent.Digest, platform, destination.Description);

            entries.Add(manifestContent.ToDescriptor() with { Platform = platform });
            long size = manifest.Config.Size + manifest.Layers.Sum(l => l.Size);
            copies.Add(new CopyResult(manifestContent.Digest, manifestContent.MediaType, manifest.Config.Digest, size));
        }

        var index = new ImageIndex { MediaType = MediaTypes.OciIndex, Manifests = entries };
        byte[] indexBytes = OciJson.Serialize(index);
        var indexContent = new ManifestContent(indexBytes, MediaTypes.OciIndex, Digest.Compute(indexBytes));
        foreach (string tag in tags)
        {
            await destination.PutManifestAsync(indexContent, tag, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("wrote index {Digest} to {Destination}:{Tag}", indexContent.Digest, destination.Description, tag);
        }

        return new IndexCopyResult(indexContent.Digest, copies);
    }
}
