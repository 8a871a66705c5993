using System.Text;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Storage;

namespace OciBuild.Transport.Layout;

/// <summary>
/// An OCI image layout folder: the <c>oci-layout</c> marker, <c>index.json</c> and content-addressed
/// blobs under <c>blobs/ALGORITHM/HEX</c>. Blobs and the index are written to a temporary file and
/// renamed into place, so a reader never sees a partial file under a final name.
/// </summary>
public sealed class OciLayout
{
    /// <summary>The annotation that names an image in <c>index.json</c>.</summary>
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    private const string LayoutFileName = "oci-layout";
    private const string IndexFileName = "index.json";
    private const string TemporaryPrefix = ".tmp-";
    private static readonly byte[] LayoutFileContent = Encoding.UTF8.GetBytes("{\"imageLayoutVersion\":\"1.0.0\"}");

    public OciLayout(string root)
    {
        Root = root;
    }

    public string Root { get; }

    private string IndexPath => Path.Combine(Root, IndexFileName);

    /// <summary>Whether the folder has the <c>oci-layout</c> marker and an <c>index.json</c>.</summary>
    public bool Exists => File.Exists(Path.Combine(Root, LayoutFileName)) && File.Exists(IndexPath);

    /// <summary>Creates the folder, the marker and an empty index where they are missing.</summary>
    public void EnsureCreated()
    {
        if (File.Exists(Root))
        {
            throw new OciException(ErrorCodes.InvalidImageLayout, $"{Root} is a file, not an OCI image layout folder");
        }

        Directory.CreateDirectory(Path.Combine(Root, "blobs", Digest.Sha256));
        string layoutPath = Path.Combine(Root, LayoutFileName);
        if (!File.Exists(layoutPath))
        {
            WriteAtomically(layoutPath, LayoutFileContent);
        }

        if (!File.Exists(IndexPath))
        {
            WriteIndex(new ImageIndex { MediaType = MediaTypes.OciIndex });
        }
    }

    /// <exception cref="OciException">The folder is not an OCI image layout, or its index is not valid JSON.</exception>
    public ImageIndex ReadIndex()
    {
        if (!Exists)
        {
            throw new OciException(ErrorCodes.InvalidImageLayout, $"{Root} is not an OCI image layout: it needs the files {LayoutFileName} and {IndexFileName}");
        }

        byte[] bytes = File.ReadAllBytes(IndexPath);
        try
        {
            return OciJson.Deserialize<ImageIndex>(bytes, $"{IndexPath}");
        }
        catch (OciException e)
        {
            throw new OciException(ErrorCodes.InvalidImageLayout, e.Message, e);
        }
    }

    public void WriteIndex(ImageIndex index)
        => WriteAtomically(IndexPath, OciJson.Serialize(index with { SchemaVersion = 2, MediaType = MediaTypes.OciIndex }));

    public string GetBlobPath(Digest digest) => Path.Combine(Root, "blobs", digest.Algorithm, digest.Encoded);

    public bool HasBlob(Digest digest) => File.Exists(GetBlobPath(digest));

    /// <summary>Opens a blob; the stream raises at its end when the content does not match the digest or size.</summary>
    public Stream OpenBlob(Descriptor blob)
    {
        string path = GetExistingBlobPath(blob.Digest);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return new VerifyingStream(file, blob.Digest, blob.Size, $"blob {blob.Digest} in {Root}");
    }

    /// <summary>Reads a whole blob (a manifest or index) and checks it against its digest.</summary>
    public async Task<byte[]> ReadBlobAsync(Digest digest, CancellationToken cancellationToken)
    {
        byte[] content = await File.ReadAllBytesAsync(GetExistingBlobPath(digest), cancellationToken).ConfigureAwait(false);
        digest.Verify(content, $"blob {digest} in {Root}");
        return content;
    }

    /// <summary>Writes a blob read from <paramref name="content"/>, renaming it into place only when its digest matches.</summary>
    public async Task WriteBlobAsync(Digest expected, Stream content, CancellationToken cancellationToken)
    {
        string target = GetBlobPath(expected);
        if (File.Exists(target))
        {
            return;
        }

        string folder = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(folder);
        string temporary = Path.Combine(folder, $"{TemporaryPrefix}{Guid.NewGuid():N}");
        await VerifiedFileWriter.WriteAsync(content, expected, target, temporary, $"blob {expected} to {Root}", flushToDisk: false, cancellationToken).ConfigureAwait(false);
    }

    public Task WriteBlobAsync(Digest expected, byte[] content, CancellationToken cancellationToken)
        => WriteBlobAsync(expected, new MemoryStream(content, writable: false), cancellationToken);

    private string GetExistingBlobPath(Digest digest)
    {
        string path = GetBlobPath(digest);
        if (!File.Exists(path))
        {
            throw new NotFoundException(ErrorCodes.BlobNotFound, $"blob {digest} is missing from the image layout {Root}");
        }

        return path;
    }

    private static void WriteAtomically(string path, byte[] content)
    {
        string temporary = Path.Combine(Path.GetDirectoryName(path)!, $"{TemporaryPrefix}{Guid.NewGuid():N}");
        try
        {
            File.WriteAllBytes(temporary, content);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
