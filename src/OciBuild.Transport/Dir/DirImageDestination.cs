using System.Security.Cryptography;
using System.Text;
using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Transport.Dir;

/// <summary>
/// Writes an image in skopeo's <c>dir:DIR</c> format, which keeps every blob and the manifest byte for
/// byte. A folder that contains an earlier <c>dir:</c> image is emptied first. Writing into any other
/// non-empty folder is rejected, so that no unrelated files are mixed in or deleted.
/// </summary>
public sealed class DirImageDestination : IImageDestination
{
    private readonly string _root;
    private readonly object _prepareLock = new();
    private bool _prepared;

    public DirImageDestination(string root)
    {
        _root = root;
        Description = $"dir:{root}";
    }

    public string Description { get; }

    public Task<bool> HasBlobAsync(Descriptor blob, CancellationToken cancellationToken)
        => Task.FromResult(_prepared && File.Exists(DirLayout.BlobPath(_root, blob.Digest)));

    public async Task PutBlobAsync(Descriptor blob, Stream content, CancellationToken cancellationToken)
    {
        Prepare();
        if (blob.Digest.Algorithm != Digest.Sha256)
        {
            throw new InvalidDigestException(blob.Digest.ToString(), "only sha256 blobs can be written to a dir: image");
        }

        string target = DirLayout.BlobPath(_root, blob.Digest);
        string temporary = Path.Combine(_root, $".tmp-{Guid.NewGuid():N}");
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                byte[] buffer = new byte[1 << 16];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }

            var actual = Digest.FromSha256Hash(hash.GetHashAndReset());
            if (actual != blob.Digest)
            {
                throw new DigestMismatchException($"writing blob {blob.Digest} to {Description}", blob.Digest, actual);
            }

            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Writes <c>manifest.json</c>. The format has one image and no names, so <paramref name="tag"/> is ignored.</summary>
    public async Task PutManifestAsync(ManifestContent manifest, string tag, CancellationToken cancellationToken)
    {
        Prepare();
        string path = Path.Combine(_root, DirLayout.ManifestFileName);
        string temporary = path + $".tmp-{Guid.NewGuid():N}";
        await File.WriteAllBytesAsync(temporary, manifest.Bytes, cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }

    private void Prepare()
    {
        lock (_prepareLock)
        {
            if (_prepared)
            {
                return;
            }

            if (File.Exists(_root))
            {
                throw new OciException(ErrorCodes.InvalidImageLayout, $"{Description}: {_root} is a file, not a folder");
            }

            if (Directory.Exists(_root) && Directory.EnumerateFileSystemEntries(_root).Any())
            {
                DirLayout.RequireVersionFile(_root, Description);
                foreach (string file in Directory.EnumerateFiles(_root))
                {
                    File.Delete(file);
                }
            }

            Directory.CreateDirectory(_root);
            File.WriteAllText(Path.Combine(_root, DirLayout.VersionFileName), DirLayout.VersionText, new UTF8Encoding(false));
            _prepared = true;
        }
    }
}
