using System.Text.Json;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Storage;

namespace OciBuild.Transport.Archive;

/// <summary>
/// Reads an image from a <c>docker save</c> archive (<c>docker-archive:FILE[:NAME:TAG]</c>). The archive
/// is unpacked into a temporary folder, deleted on dispose. An archive has no manifest, so this source
/// makes an OCI manifest whose layers are the archive's layer files as they are. A layer is an
/// uncompressed tar unless its file starts with the gzip magic bytes. The manifest digest therefore
/// differs from the one the image had in a registry.
/// </summary>
public sealed class DockerArchiveSource : IImageSource, IDisposable
{
    private readonly ScratchFolder _folder;
    private readonly ManifestContent _manifest;
    private readonly Dictionary<Digest, string> _blobPaths;

    private DockerArchiveSource(ScratchFolder folder, string description, ManifestContent manifest, Dictionary<Digest, string> blobPaths, IReadOnlyList<string> repoTags)
    {
        _folder = folder;
        Description = description;
        _manifest = manifest;
        _blobPaths = blobPaths;
        RepoTags = repoTags;
    }

    public string Description { get; }

    /// <summary>The names the archive gives the image.</summary>
    public IReadOnlyList<string> RepoTags { get; }

    /// <param name="reference">The name to read, or null for the archive's only image.</param>
    public static Task<DockerArchiveSource> OpenAsync(string archivePath, ImageReference? reference, string description, CancellationToken cancellationToken)
        => OpenAsync(archivePath, reference, sourceIndex: null, description, cancellationToken);

    /// <param name="reference">The name to read, or null for the image at <paramref name="sourceIndex"/> or the archive's only image.</param>
    /// <param name="sourceIndex">The zero-based position of the image in manifest.json, as in <c>docker-archive:FILE:@INDEX</c>.</param>
    public static async Task<DockerArchiveSource> OpenAsync(string archivePath, ImageReference? reference, int? sourceIndex, string description, CancellationToken cancellationToken)
    {
        var folder = new ScratchFolder("docker-archive");
        try
        {
            await TarFolder.ExtractAsync(archivePath, folder.Path, cancellationToken).ConfigureAwait(false);
            var entry = FindEntry(folder.Path, reference, sourceIndex, description);
            var blobPaths = new Dictionary<Digest, string>();

            string configPath = ResolveFile(folder.Path, entry.Config, description);
            byte[] configBytes = await File.ReadAllBytesAsync(configPath, cancellationToken).ConfigureAwait(false);
            var configDigest = Digest.Compute(configBytes);
            blobPaths[configDigest] = configPath;

            var layers = new List<Descriptor>();
            foreach (string layer in entry.Layers)
            {
                string layerPath = ResolveFile(folder.Path, layer, description);
                Digest digest;
                await using (var layerFile = File.OpenRead(layerPath))
                {
                    digest = await Digest.ComputeAsync(layerFile, cancellationToken).ConfigureAwait(false);
                }

                blobPaths[digest] = layerPath;
                string mediaType = await StartsWithGzipMagicAsync(layerPath, cancellationToken).ConfigureAwait(false) ? MediaTypes.OciLayerGzip : MediaTypes.OciLayer;
                layers.Add(new Descriptor { MediaType = mediaType, Digest = digest, Size = new FileInfo(layerPath).Length });
            }

            var manifest = new ImageManifest
            {
                MediaType = MediaTypes.OciManifest,
                Config = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = configDigest, Size = configBytes.LongLength },
                Layers = layers,
            };
            byte[] manifestBytes = OciJson.Serialize(manifest);
            var content = new ManifestContent(manifestBytes, MediaTypes.OciManifest, Digest.Compute(manifestBytes));
            return new DockerArchiveSource(folder, description, content, blobPaths, entry.RepoTags ?? []);
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    public Task<ManifestContent> GetManifestAsync(Digest? digest, CancellationToken cancellationToken)
    {
        if (digest is not null && digest != _manifest.Digest)
        {
            throw new NotFoundException(ErrorCodes.ImageNotFound, $"{Description} has no manifest {digest}");
        }

        return Task.FromResult(_manifest);
    }

    public Task<Stream> OpenBlobAsync(Descriptor blob, CancellationToken cancellationToken)
    {
        if (!_blobPaths.TryGetValue(blob.Digest, out string? path))
        {
            throw new NotFoundException(ErrorCodes.BlobNotFound, $"{Description} has no blob {blob.Digest}");
        }

        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        Stream stream = new VerifyingStream(file, blob.Digest, blob.Size, $"{Description} blob {blob.Digest}");
        return Task.FromResult(stream);
    }

    public void Dispose() => _folder.Dispose();

    private static DockerArchiveEntry FindEntry(string folder, ImageReference? reference, int? sourceIndex, string description)
    {
        string manifestPath = Path.Combine(folder, DockerArchiveEntry.ManifestFileName);
        if (!File.Exists(manifestPath))
        {
            throw new OciException(ErrorCodes.InvalidImageLayout, $"{description} is not a docker-archive: it has no {DockerArchiveEntry.ManifestFileName}");
        }

        List<DockerArchiveEntry> entries;
        try
        {
            entries = JsonSerializer.Deserialize<List<DockerArchiveEntry>>(File.ReadAllBytes(manifestPath), OciJson.Options) ?? [];
        }
        catch (JsonException e)
        {
            throw new OciException(ErrorCodes.InvalidImageLayout, $"{description}: {DockerArchiveEntry.ManifestFileName} is not valid: {e.Message}", e);
        }

        string available = string.Join(", ", entries.Select(e => e.RepoTags is { Count: > 0 } tags ? string.Join(" ", tags) : $"(untagged) {e.Config}"));
        if (sourceIndex is { } index)
        {
            return index < entries.Count
                ? entries[index]
                : throw new NotFoundException(ErrorCodes.ImageNotFound, $"{description} has no image @{index}: it contains {entries.Count} (@0 to @{entries.Count - 1}): {available}");
        }

        if (reference is null)
        {
            return entries.Count switch
            {
                1 => entries[0],
                0 => throw new NotFoundException(ErrorCodes.ImageNotFound, $"no image found in {description}: its manifest.json is empty"),
                _ => throw new OciException(ErrorCodes.AmbiguousImage, $"{description} contains {entries.Count} images, so add :NAME:TAG or :@INDEX (from @0) to the name, with one of: {available}"),
            };
        }

        string requested = reference.ToString();
        return entries.FirstOrDefault(e => e.RepoTags?.Any(t => ImageReference.TryParse(t, out var r) && r.ToString() == requested) == true)
               ?? throw new NotFoundException(ErrorCodes.ImageNotFound, $"image {requested} not found in {description}; the archive contains {available}");
    }

    private static string ResolveFile(string folder, string name, string description)
    {
        string path = Path.GetFullPath(Path.Combine(folder, name));
        if (!path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(path))
        {
            throw new OciException(ErrorCodes.InvalidImageLayout, $"{description}: {DockerArchiveEntry.ManifestFileName} lists {name}, which the archive does not contain");
        }

        return path;
    }

    private static async Task<bool> StartsWithGzipMagicAsync(string path, CancellationToken cancellationToken)
    {
        byte[] prefix = new byte[2];
        await using var file = File.OpenRead(path);
        int read = await file.ReadAtLeastAsync(prefix, 2, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        return read == 2 && prefix[0] == 0x1F && prefix[1] == 0x8B;
    }
}
