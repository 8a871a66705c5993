using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Storage;

namespace OciBuild.Transport.Archive;

/// <summary>
/// Writes an image as a <c>docker save</c> archive (<c>docker-archive:FILE[:NAME:TAG]</c>) for
/// <c>docker load</c> and <c>podman load</c>: <c>manifest.json</c>, the config as <c>HEX.json</c> and
/// each layer as an uncompressed <c>DIFFID.tar</c>, because loaders check each layer file against the
/// config's diff IDs. Files are staged in a temporary folder. Every manifest write packs them into a
/// temporary file beside FILE and renames it over FILE, replacing any existing FILE.
/// </summary>
public sealed class DockerArchiveDestination : IImageDestination, IDisposable
{
    private readonly string _archivePath;
    private readonly ImageReference? _reference;
    private readonly ScratchFolder _staging = new("docker-archive");
    private readonly ConcurrentDictionary<Digest, Digest> _diffIds = new();
    private readonly List<DockerArchiveEntry> _entries = [];

    /// <param name="reference">The name whose repository the tags go with, or null to write an untagged image.</param>
    public DockerArchiveDestination(string archivePath, ImageReference? reference, string? description = null)
    {
        _archivePath = archivePath;
        _reference = reference;
        Description = description ?? (reference is null ? $"docker-archive:{archivePath}" : $"docker-archive:{archivePath}:{reference}");
    }

    public string Description { get; }

    /// <summary>The path of the archive, complete after the first <see cref="PutManifestAsync"/>.</summary>
    public string ArchivePath => _archivePath;

    public Task<bool> HasBlobAsync(Descriptor blob, CancellationToken cancellationToken)
        => Task.FromResult(_diffIds.ContainsKey(blob.Digest) || File.Exists(ConfigPath(blob.Digest)));

    /// <summary>Stores a layer uncompressed under its diff ID, and any other blob (the config) as <c>HEX.json</c>.</summary>
    public async Task PutBlobAsync(Descriptor blob, Stream content, CancellationToken cancellationToken)
    {
        if (!IsLayer(blob.MediaType))
        {
            string configPath = ConfigPath(blob.Digest);
            await using var verified = new VerifyingStream(content, blob.Digest, blob.Size, $"config {blob.Digest} for {Description}");
            await WriteFileAsync(verified, configPath, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (blob.MediaType == MediaTypes.OciLayerZstd)
        {
            throw new OciException(ErrorCodes.LayerUnsupported, $"layer {blob.Digest} is zstd-compressed, which {Description} cannot hold yet; copy a gzip or uncompressed image");
        }

        await using var compressed = new VerifyingStream(content, blob.Digest, blob.Size, $"layer {blob.Digest} for {Description}");
        await using Stream tar = MediaTypes.IsGzipLayer(blob.MediaType) || blob.MediaType.EndsWith("+gzip", StringComparison.Ordinal)
            ? new GZipStream(compressed, CompressionMode.Decompress)
            : compressed;
        string temporary = Path.Combine(_staging.Path, $".tmp-{Guid.NewGuid():N}");
        var diffId = await WriteFileAsync(tar, temporary, cancellationToken).ConfigureAwait(false);

        // Reading the gzip stream to its end does not always read the compressed stream to its end, and
        // only there does the verifying stream check the digest.
        await compressed.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);

        File.Move(temporary, LayerPath(diffId), overwrite: true);
        _diffIds[blob.Digest] = diffId;
    }

    /// <summary>
    /// Adds the image to <c>manifest.json</c> under <paramref name="tag"/> (empty: untagged) after
    /// checking the layers against the config's diff IDs, then rewrites the archive.
    /// </summary>
    public async Task PutManifestAsync(ManifestContent manifest, string tag, CancellationToken cancellationToken)
    {
        if (manifest.IsIndex)
        {
            throw new OciException(ErrorCodes.UnsupportedOperation, $"{Description} can contain single images only, not the index {manifest.Digest}; copy one platform's manifest");
        }

        var parsed = OciJson.Deserialize<ImageManifest>(manifest.Bytes, $"manifest for {Description}");
        string configPath = ConfigPath(parsed.Config.Digest);
        if (!File.Exists(configPath))
        {
            throw new NotFoundException(ErrorCodes.BlobNotFound, $"{Description}: the config {parsed.Config.Digest} was not written before the manifest");
        }

        var config = OciJson.Deserialize<ImageConfig>(await File.ReadAllBytesAsync(configPath, cancellationToken).ConfigureAwait(false), $"config {parsed.Config.Digest}");
        var layerFiles = new List<string>();
        for (int i = 0; i < parsed.Layers.Count; i++)
        {
            var layer = parsed.Layers[i];
            if (!_diffIds.TryGetValue(layer.Digest, out var diffId))
            {
                throw new NotFoundException(ErrorCodes.BlobNotFound, $"{Description}: layer {layer.Digest} was not written before the manifest");
            }

            if (i >= config.RootFs.DiffIds.Count || config.RootFs.DiffIds[i] != diffId)
            {
                string expected = i < config.RootFs.DiffIds.Count ? config.RootFs.DiffIds[i].ToString() : "nothing";
                throw new OciException(ErrorCodes.InvalidConfig, $"{Description}: layer {i} ({layer.Digest}) decompresses to {diffId}, but the config lists {expected}");
            }

            layerFiles.Add(Path.GetFileName(LayerPath(diffId)));
        }

        if (config.RootFs.DiffIds.Count != parsed.Layers.Count)
        {
            throw new OciException(ErrorCodes.InvalidConfig, $"{Description}: the config lists {config.RootFs.DiffIds.Count} diff IDs for {parsed.Layers.Count} layers");
        }

        AddEntry(Path.GetFileName(configPath), layerFiles, RepoTag(tag));
        await File.WriteAllBytesAsync(Path.Combine(_staging.Path, DockerArchiveEntry.ManifestFileName), JsonSerializer.SerializeToUtf8Bytes(_entries, OciJson.Options), cancellationToken).ConfigureAwait(false);
        await TarFolder.WriteAsync(_staging.Path, _archivePath, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _staging.Dispose();

    private string? RepoTag(string tag)
    {
        if (tag.Length == 0 || _reference is null)
        {
            return null;
        }

        if (Digest.TryParse(tag, out _))
        {
            throw new OciException(ErrorCodes.UnsupportedOperation, $"{Description} names images by tag; \"{tag}\" is a digest");
        }

        return _reference.WithTag(tag).ToString();
    }

    private void AddEntry(string configFile, List<string> layerFiles, string? repoTag)
    {
        // A name moves to the new image, as in docker load.
        for (int i = 0; i < _entries.Count; i++)
        {
            if (repoTag is not null && _entries[i].RepoTags?.Contains(repoTag) == true)
            {
                _entries[i] = _entries[i] with { RepoTags = _entries[i].RepoTags!.Where(t => t != repoTag).ToList() };
            }
        }

        int existing = _entries.FindIndex(e => e.Config == configFile && e.Layers.SequenceEqual(layerFiles));
        if (existing >= 0)
        {
            var tags = (_entries[existing].RepoTags ?? []).ToList();
            if (repoTag is not null)
            {
                tags.Add(repoTag);
            }

            _entries[existing] = _entries[existing] with { RepoTags = tags };
            return;
        }

        _entries.Add(new DockerArchiveEntry { Config = configFile, RepoTags = repoTag is null ? [] : [repoTag], Layers = layerFiles });
    }

    /// <summary>Tells layers from the config, counting Docker's uncompressed <c>rootfs.diff.tar</c>, which <see cref="MediaTypes"/> does not list.</summary>
    private static bool IsLayer(string mediaType)
        => MediaTypes.IsLayer(mediaType) || mediaType.StartsWith("application/vnd.docker.image.rootfs.", StringComparison.Ordinal);

    private string ConfigPath(Digest digest) => Path.Combine(_staging.Path, digest.Encoded + ".json");

    private string LayerPath(Digest diffId) => Path.Combine(_staging.Path, diffId.Encoded + ".tar");

    /// <summary>Copies <paramref name="content"/> to <paramref name="path"/> and returns the sha256 of the bytes written.</summary>
    private static async Task<Digest> WriteFileAsync(Stream content, string path, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        byte[] buffer = new byte[1 << 16];
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }

        return Digest.FromSha256Hash(hash.GetHashAndReset());
    }
}
