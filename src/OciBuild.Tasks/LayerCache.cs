using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Layers;
using OciBuild.Tasks.EarlyUpload;
using OciBuild.Transport.Building;

namespace OciBuild.Tasks;

/// <summary>
/// Layer blobs kept under <c>obj/</c>, keyed by everything that decides their bytes: each file's
/// relative path, kind, link target, size, modification time and mode, and the layer options. A
/// publish whose inputs did not change reuses the blob without tarring or compressing again.
/// </summary>
internal sealed class LayerCache
{
    // Bump when the key or the metadata format changes, so that old entries are never misread.
    private const string FormatVersion = "2";
    private readonly string _directory;
    private readonly ILogger _logger;
    // Layers are built concurrently. Two planned layers with the same key share one build, because
    // both would write the same temporary file.
    private readonly Dictionary<string, Task<BuiltLayer>> _builds = [];

    public LayerCache(string directory, ILogger logger)
    {
        _directory = directory;
        _logger = logger;
        Directory.CreateDirectory(directory);
    }

    /// <summary>The uploads that send big layers to the destination registry while they are built; null when the destination is not a registry.</summary>
    public EarlyLayerUploads? EarlyUploads { get; init; }

    /// <summary>Returns the cached layer for <paramref name="planned"/>, building it first when the cache has none. Safe to call concurrently.</summary>
    public async Task<NewLayer> GetOrBuildAsync(PlannedLayer planned, LayerOptions options, string comment, CancellationToken cancellationToken)
    {
        string key = ComputeKey(planned.Files, options);
        string blobPath = Path.Combine(_directory, key + (options.Compression == LayerCompressionFormat.Zstd ? ".tar.zst" : ".tar.gz"));
        Task<BuiltLayer> build;
        lock (_builds)
        {
            if (!_builds.TryGetValue(key, out build!))
            {
                build = Task.Run(() => GetOrBuildAsync(key, blobPath, planned, options, cancellationToken), cancellationToken);
                _builds[key] = build;
            }
        }

        return new NewLayer(await build.ConfigureAwait(false), blobPath, comment);
    }

    private async Task<BuiltLayer> GetOrBuildAsync(string key, string blobPath, PlannedLayer planned, LayerOptions options, CancellationToken cancellationToken)
    {
        string metadataPath = Path.Combine(_directory, key + ".json");
        if (TryRead(metadataPath, blobPath) is { } cached)
        {
            _logger.LogInformation("reused layer {Digest} ({Kind}, {Size} bytes) from the layer cache", cached.Digest, planned.Kind, cached.Size);
            return cached;
        }

        string temporaryPath = blobPath + ".tmp";
        BuiltLayer layer;
        EarlyLayerUpload? earlyUpload = null;
        try
        {
            // Readers may share the file: an early upload reads it while it grows.
            await using var output = new FileStream(temporaryPath, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
            earlyUpload = EarlyUploads?.Start(temporaryPath, planned.Files, $"{planned.Kind} layer");
            layer = await LayerBuilder.BuildAsync(planned.Files, options, output, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            earlyUpload?.Fail(e);
            if (e is IOException io && StorageFullException.IsStorageFull(io))
            {
                File.Delete(temporaryPath);
                throw new StorageFullException($"the {planned.Kind} layer", $"the layer cache folder {_directory}", io, "free space on that file system, which contains the project's obj folder");
            }

            throw;
        }

        // The output stream is closed here, so the file contains every byte of the blob.
        earlyUpload?.Complete(layer);
        File.Move(temporaryPath, blobPath, overwrite: true);

        // The metadata file is written last, so an entry without it is incomplete and never read.
        var metadata = new CachedLayer(layer.DiffId.ToString(), layer.Digest.ToString(), layer.Size, layer.MediaType);
        File.WriteAllText(metadataPath, JsonSerializer.Serialize(metadata, LayerCacheJsonContext.Default.CachedLayer));
        string compression = options.Compression == LayerCompressionFormat.Zstd
            ? $"zstd level {options.CompressionLevelNumber ?? LayerOptions.DefaultZstdLevel}"
            : options.CompressionLevelNumber is { } level ? $"gzip level {level}" : $"gzip {options.CompressionLevel}";
        if (options.ParallelPartSize is { } partSize)
        {
            compression += $" in parallel parts of {partSize} tar bytes";
        }

        _logger.LogInformation("built layer {Digest} ({Kind}, {Size} bytes, {Count} entries, {Compression})", layer.Digest, planned.Kind, layer.Size, planned.Files.Count, compression);
        return layer;
    }

    /// <summary>Deletes the entries that this publish did not use, so the cache contains one image's layers.</summary>
    public void RemoveUnused()
    {
        foreach (string path in Directory.EnumerateFiles(_directory))
        {
            string name = Path.GetFileName(path);
            string key = name.Split('.')[0];
            bool used;
            lock (_builds)
            {
                used = _builds.ContainsKey(key);
            }

            if (!used)
            {
                File.Delete(path);
            }
        }
    }

    private static BuiltLayer? TryRead(string metadataPath, string blobPath)
    {
        if (!File.Exists(metadataPath) || !File.Exists(blobPath))
        {
            return null;
        }

        try
        {
            var metadata = JsonSerializer.Deserialize(File.ReadAllText(metadataPath), LayerCacheJsonContext.Default.CachedLayer);
            if (metadata is null || new FileInfo(blobPath).Length != metadata.Size)
            {
                return null;
            }

            return new BuiltLayer(Digest.Parse(metadata.DiffId), Digest.Parse(metadata.Digest), metadata.Size, metadata.MediaType);
        }
        catch (Exception e) when (e is JsonException or FormatException or OciBuild.Core.Errors.OciException)
        {
            // A damaged entry is rebuilt; the copy verifies every blob against its digest anyway.
            return null;
        }
    }

    private static string ComputeKey(IReadOnlyList<LayerFile> files, LayerOptions options)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"format {FormatVersion}\n");
        text.Append(CultureInfo.InvariantCulture, $"destination {options.DestinationDirectory}\nowner {options.UserId}:{options.GroupId}\n");
        text.Append(CultureInfo.InvariantCulture, $"mtime {options.ModificationTime.ToUnixTimeSeconds()}\ncompression {options.CompressionLevel}\n");
        text.Append(CultureInfo.InvariantCulture, $"algorithm {options.Compression} level {options.CompressionLevelNumber?.ToString(CultureInfo.InvariantCulture) ?? "default"}\n");
        text.Append(CultureInfo.InvariantCulture, $"parallel parts {options.ParallelPartSize?.ToString(CultureInfo.InvariantCulture) ?? "one"}\n");
        foreach (var file in files)
        {
            text.Append(CultureInfo.InvariantCulture, $"{file.Kind} {file.RelativePath} -> {file.LinkTarget}");
            if (file.Kind == LayerFileKind.File)
            {
                var info = new FileInfo(file.SourcePath);
                text.Append(CultureInfo.InvariantCulture, $" size {info.Length} mtime {info.LastWriteTimeUtc.Ticks}");
                if (!OperatingSystem.IsWindows())
                {
                    text.Append(CultureInfo.InvariantCulture, $" mode {(int)info.UnixFileMode}");
                }
            }

            text.Append('\n');
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))).ToLowerInvariant();
    }

    internal sealed record CachedLayer(string DiffId, string Digest, long Size, string MediaType);
}
