using System.Collections.Concurrent;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Storage;

namespace OciBuild.Transport.Tests.Support;

/// <summary>
/// An image source that serves test images from memory: one image, or an OCI index over several
/// images with their platforms. Like every source, its blob streams verify digest and size.
/// </summary>
internal sealed class MemoryImageSource : IImageSource
{
    private readonly ManifestContent _top;
    private readonly Dictionary<Digest, ManifestContent> _manifests = new();
    private readonly Dictionary<Digest, byte[]> _blobs = new();

    public MemoryImageSource(TestImage image, string description = "memory:test-image")
        : this(image.Manifest, [image], description)
    {
    }

    private MemoryImageSource(ManifestContent top, IEnumerable<TestImage> images, string description)
    {
        _top = top;
        Description = description;
        foreach (var image in images)
        {
            _manifests[image.Manifest.Digest] = image.Manifest;
            foreach (var (digest, content) in image.Blobs)
            {
                _blobs[digest] = content;
            }
        }
    }

    public string Description { get; }

    /// <summary>The digests of every blob opened so far, in order.</summary>
    public ConcurrentQueue<Digest> OpenedBlobs { get; } = new();

    /// <summary>Creates a source whose top-level manifest is an OCI index listing <paramref name="images"/> by their config's platform.</summary>
    public static MemoryImageSource WithIndex(params TestImage[] images)
    {
        var index = new ImageIndex
        {
            MediaType = MediaTypes.OciIndex,
            Manifests = images.Select(i => i.Manifest.ToDescriptor() with { Platform = i.Config.Platform }).ToList(),
        };
        byte[] bytes = OciJson.Serialize(index);
        var top = new ManifestContent(bytes, MediaTypes.OciIndex, Digest.Compute(bytes));
        return new MemoryImageSource(top, images, "memory:test-index");
    }

    public Task<ManifestContent> GetManifestAsync(Digest? digest, CancellationToken cancellationToken)
    {
        if (digest is null || digest == _top.Digest)
        {
            return Task.FromResult(_top);
        }

        return _manifests.TryGetValue(digest.Value, out var manifest)
            ? Task.FromResult(manifest)
            : throw new NotFoundException(ErrorCodes.ImageNotFound, $"{Description} has no manifest {digest}");
    }

    public Task<Stream> OpenBlobAsync(Descriptor blob, CancellationToken cancellationToken)
    {
        if (!_blobs.TryGetValue(blob.Digest, out byte[]? content))
        {
            throw new NotFoundException(ErrorCodes.BlobNotFound, $"{Description} has no blob {blob.Digest}");
        }

        OpenedBlobs.Enqueue(blob.Digest);
        Stream stream = new VerifyingStream(new MemoryStream(content, writable: false), blob.Digest, blob.Size, $"{Description} blob {blob.Digest}");
        return Task.FromResult(stream);
    }
}
