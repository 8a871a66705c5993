using System.Text;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Storage;

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
        string target = DirLayout.BlobPath(_root, blob.Digest);
        string temporary = Path.Combine(_root, $".tmp-{Guid.NewGuid():N}");
        await VerifiedFileWriter.WriteAsync(content, blob.Digest, target, temporary, $"blob {blob.Digest} to {Description}", flushToDisk: false, cancellationToken).ConfigureAwait(false);
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
