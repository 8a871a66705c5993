using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Storage;

namespace OciBuild.Transport.Dir;

/// <summary>Reads an image from skopeo's <c>dir:DIR</c> format.</summary>
public sealed class DirImageSource : IImageSource
{
    private readonly string _root;

    public DirImageSource(string root)
    {
        _root = root;
        Description = $"dir:{root}";
    }

    public string Description { get; }

    public async Task<ManifestContent> GetManifestAsync(Digest? digest, CancellationToken cancellationToken)
    {
        DirLayout.RequireVersionFile(_root, Description);
        string topPath = Path.Combine(_root, DirLayout.ManifestFileName);
        if (!File.Exists(topPath))
        {
            throw new OciException(ErrorCodes.InvalidImageLayout, $"{Description} has no {DirLayout.ManifestFileName}");
        }

        byte[] top = await File.ReadAllBytesAsync(topPath, cancellationToken).ConfigureAwait(false);
        if (digest is null)
        {
            return ManifestContent.FromBytes(top, null);
        }

        if (Digest.Compute(top) == digest.Value)
        {
            return ManifestContent.FromBytes(top, null);
        }

        string instancePath = DirLayout.InstanceManifestPath(_root, digest.Value);
        if (!File.Exists(instancePath))
        {
            throw new NotFoundException(ErrorCodes.ImageNotFound, $"{Description} has no manifest {digest}");
        }

        byte[] instance = await File.ReadAllBytesAsync(instancePath, cancellationToken).ConfigureAwait(false);
        digest.Value.Verify(instance, $"manifest {digest} in {Description}");
        return ManifestContent.FromBytes(instance, null);
    }

    public Task<Stream> OpenBlobAsync(Descriptor blob, CancellationToken cancellationToken)
    {
        string path = DirLayout.BlobPath(_root, blob.Digest);
        if (!File.Exists(path))
        {
            throw new NotFoundException(ErrorCodes.BlobNotFound, $"blob {blob.Digest} is missing from {Description}");
        }

        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        Stream stream = new VerifyingStream(file, blob.Digest, blob.Size, $"blob {blob.Digest} in {Description}");
        return Task.FromResult(stream);
    }
}
