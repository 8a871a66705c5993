using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Storage;

/// <summary>
/// Content-addressed blobs under <c>blobs/sha256/</c>, the layout of an OCI image layout, so that
/// skopeo and umoci can read the store as <c>oci:ROOT</c>. A blob is written to a temporary file in the
/// same folder, hashed while it is written, and renamed into place only when its digest matches: a
/// reader never sees a partial or wrong blob under a digest's name.
/// </summary>
public sealed class BlobStore
{
    private const string TemporaryPrefix = ".tmp-";

    private readonly string _root;
    private readonly string _blobsDirectory;

    public BlobStore(string root)
    {
        _root = root;
        _blobsDirectory = Path.Combine(root, "blobs", Digest.Sha256);
    }

    public string GetPath(Digest digest)
    {
        if (digest.Algorithm != Digest.Sha256)
        {
            throw new InvalidDigestException(digest.ToString(), "the local store keeps sha256 blobs only");
        }

        return Path.Combine(_blobsDirectory, digest.Encoded);
    }

    public bool Contains(Digest digest) => File.Exists(GetPath(digest));

    public long GetSize(Digest digest) => new FileInfo(GetPath(digest)).Length;

    /// <summary>Opens a blob for reading; the stream raises at its end if the content no longer matches.</summary>
    public Stream Open(Digest digest, long expectedSize = -1)
    {
        string path = GetExistingPath(digest);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return new VerifyingStream(file, digest, expectedSize, $"local blob {digest}");
    }

    /// <exception cref="NotFoundException">The store has no such blob.</exception>
    /// <exception cref="DigestMismatchException">The blob's content no longer matches its digest.</exception>
    public async Task<byte[]> ReadAllAsync(Digest digest, CancellationToken cancellationToken)
    {
        byte[] content = await File.ReadAllBytesAsync(GetExistingPath(digest), cancellationToken).ConfigureAwait(false);
        digest.Verify(content, $"local blob {digest}");
        return content;
    }

    /// <summary>Writes <paramref name="content"/> as the blob <paramref name="expected"/>, verifying it first.</summary>
    public async Task PutAsync(Digest expected, Stream content, CancellationToken cancellationToken)
    {
        string target = GetPath(expected);
        if (File.Exists(target))
        {
            return;
        }

        Directory.CreateDirectory(_blobsDirectory);
        string temporary = Path.Combine(_blobsDirectory, $"{TemporaryPrefix}{expected.Encoded[..12]}-{Guid.NewGuid():N}");
        try
        {
            await VerifiedFileWriter.WriteAsync(content, expected, target, temporary, $"blob {expected} to the local store", flushToDisk: true, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e) when (StorageFullException.IsStorageFull(e))
        {
            throw new StorageFullException($"blob {expected}", $"the local store {_root}", e);
        }
    }

    public Task PutAsync(Digest expected, byte[] content, CancellationToken cancellationToken)
        => PutAsync(expected, new MemoryStream(content, writable: false), cancellationToken);

    /// <summary>Moves a finished file into the store as a blob after checking its digest.</summary>
    public async Task AdoptFileAsync(Digest expected, string sourcePath, CancellationToken cancellationToken)
    {
        string target = GetPath(expected);
        if (File.Exists(target))
        {
            File.Delete(sourcePath);
            return;
        }

        await using (var stream = File.OpenRead(sourcePath))
        {
            var actual = await Digest.ComputeAsync(stream, cancellationToken).ConfigureAwait(false);
            if (actual != expected)
            {
                throw new DigestMismatchException($"storing {sourcePath}", expected, actual);
            }
        }

        Directory.CreateDirectory(_blobsDirectory);
        File.Move(sourcePath, target, overwrite: true);
    }

    public IEnumerable<Digest> List()
    {
        if (!Directory.Exists(_blobsDirectory))
        {
            yield break;
        }

        foreach (string path in Directory.EnumerateFiles(_blobsDirectory))
        {
            if (Digest.TryParse($"{Digest.Sha256}:{Path.GetFileName(path)}", out var digest))
            {
                yield return digest;
            }
        }
    }

    public void Delete(Digest digest) => File.Delete(GetPath(digest));

    /// <summary>
    /// Deletes the temporary files that <see cref="PutAsync(Digest, Stream, CancellationToken)"/> leaves when
    /// its process dies mid-write. Call only under the store lock, because a running write owns its file.
    /// </summary>
    internal void DeleteTemporaryFiles()
    {
        if (!Directory.Exists(_blobsDirectory))
        {
            return;
        }

        foreach (string path in Directory.EnumerateFiles(_blobsDirectory, TemporaryPrefix + "*"))
        {
            File.Delete(path);
        }
    }

    private string GetExistingPath(Digest digest)
    {
        string path = GetPath(digest);
        if (!File.Exists(path))
        {
            throw new NotFoundException(ErrorCodes.BlobNotFound, $"blob {digest} is not in the local store");
        }

        return path;
    }
}
