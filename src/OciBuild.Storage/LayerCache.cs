using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.Versioning;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Layers;
using OciBuild.Storage.Linux;

namespace OciBuild.Storage;

/// <summary>
/// Unpacked layers under <c>layers/&lt;diff ID hex&gt;/</c>, each extracted once and shared by every
/// working container whose image has that layer. An entry is a directory in overlayfs's format, so
/// it can serve as an overlay lower directory as it is: a deleted path is a 0/0 character device and
/// an opaque directory carries the <c>trusted.overlay.opaque</c> attribute. Creating device nodes and
/// trusted attributes needs root, so only root processes use the cache.
/// </summary>
public sealed class LayerCache
{
    public const string OpaqueAttribute = "trusted.overlay.opaque";

    private const string TemporaryPrefix = ".tmp-";
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueWhiteout = ".wh..wh..opq";

    private readonly string _directory;

    public LayerCache(string storeRoot)
    {
        _directory = Path.Combine(storeRoot, "layers");
    }

    /// <summary>Whether this process can create cache entries: only root can write overlay whiteouts.</summary>
    [SupportedOSPlatform("linux")]
    public static bool IsUsable => LinuxCalls.IsRoot;

    public string GetPath(Digest diffId) => Path.Combine(_directory, diffId.Encoded);

    public bool Contains(Digest diffId) => Directory.Exists(GetPath(diffId));

    /// <summary>
    /// Returns the entry for <paramref name="diffId"/>, extracting <paramref name="layer"/> first when the
    /// cache lacks it. Extraction goes to a temporary folder that is renamed into place only when the
    /// layer's diff ID matches, so an entry is always complete, and a concurrent extraction of the same
    /// layer by another process only wastes work.
    /// </summary>
    [SupportedOSPlatform("linux")]
    public async Task<string> EnsureAsync(Descriptor layer, Digest diffId, Func<Stream> openBlob, string layerName, CancellationToken cancellationToken)
    {
        string target = GetPath(diffId);
        if (Directory.Exists(target))
        {
            return target;
        }

        Directory.CreateDirectory(_directory);
        string temporary = Path.Combine(_directory, $"{TemporaryPrefix}{diffId.Encoded[..12]}-{Guid.NewGuid():N}");
        try
        {
            Digest actual;
            await using (var blob = openBlob())
            {
                actual = await LayerExtractor.ExtractAsync(blob, layer.MediaType, temporary, layerName, cancellationToken).ConfigureAwait(false);
            }

            if (actual != diffId)
            {
                throw new DigestMismatchException($"unpacking layer {layerName}", diffId, actual);
            }

            // LayerExtractor applies whiteouts to the folder it extracts to, which is empty here, so a
            // second pass turns them into overlay whiteouts that hide the lower layers' paths.
            await using (var blob = openBlob())
            {
                await MarkWhiteoutsAsync(blob, layer.MediaType, temporary, layerName, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                Directory.Move(temporary, target);
            }
            catch (IOException) when (Directory.Exists(target))
            {
                // Another process extracted the same layer first; its entry is as good as ours.
            }

            return target;
        }
        catch (IOException e) when (StorageFullException.IsStorageFull(e))
        {
            throw new StorageFullException($"unpacked layer {layerName}", $"the layer cache {_directory}", e);
        }
        finally
        {
            FileTree.Delete(temporary);
        }
    }

    /// <summary>Lists the diff IDs of the complete entries.</summary>
    public IEnumerable<Digest> List()
    {
        if (!Directory.Exists(_directory))
        {
            yield break;
        }

        foreach (string path in Directory.EnumerateDirectories(_directory))
        {
            if (Digest.TryParse($"{Digest.Sha256}:{Path.GetFileName(path)}", out var digest))
            {
                yield return digest;
            }
        }
    }

    [SupportedOSPlatform("linux")]
    public void Delete(Digest diffId) => FileTree.Delete(GetPath(diffId));

    /// <summary>Deletes the folders of extractions that were interrupted. Call only under the store lock.</summary>
    [SupportedOSPlatform("linux")]
    internal void DeleteTemporaryFolders()
    {
        if (!Directory.Exists(_directory))
        {
            return;
        }

        foreach (string path in Directory.EnumerateDirectories(_directory, TemporaryPrefix + "*"))
        {
            FileTree.Delete(path);
        }
    }

    [SupportedOSPlatform("linux")]
    private static async Task MarkWhiteoutsAsync(Stream blob, string mediaType, string root, string layerName, CancellationToken cancellationToken)
    {
        // The same decompression as the extractor's, so zstd and uncompressed layers work here too.
        await using var tarStream = await LayerCompression.OpenTarAsync(blob, mediaType, layerName, cancellationToken).ConfigureAwait(false);
        await using var reader = new TarReader(tarStream, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            string[] components = entry.Name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(c => c != ".").ToArray();
            if (components.Length == 0 || !components[^1].StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            string? parent = ResolveParent(root, components[..^1]);
            if (parent is null)
            {
                continue;
            }

            if (components[^1] == OpaqueWhiteout)
            {
                LinuxCalls.SetAttribute(parent, OpaqueAttribute, "y");
                continue;
            }

            // A whiteout hides only lower layers' files, so a path this layer wrote itself stays.
            string hidden = Path.Combine(parent, components[^1][WhiteoutPrefix.Length..]);
            if (LinuxCalls.TryGetStatus(hidden) is null)
            {
                LinuxCalls.CreateNode(hidden, FileType.CharacterDevice, 0, 0, 0);
            }
        }

        if (tarStream != blob)
        {
            await tarStream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Returns the host path of a whiteout's parent directory, creating missing directories. Returns null
    /// when a component is a symlink or a file, because overlay's format has no whiteout below a symlink.
    /// </summary>
    [SupportedOSPlatform("linux")]
    private static string? ResolveParent(string root, string[] components)
    {
        string path = root;
        foreach (string component in components)
        {
            if (component == "..")
            {
                return null;
            }

            path = Path.Combine(path, component);
            switch (LinuxCalls.TryGetStatus(path)?.Type)
            {
                case null:
                    // NOTE: overlayfs shows the top directory's mode and owner, so this new directory's
                    // 0755 root:root hides a lower directory's own mode. Layers that list the parent
                    // directory before its whiteouts, as most tools write them, are not affected.
                    Directory.CreateDirectory(path);
                    break;
                case FileType.Directory:
                    break;
                default:
                    return null;
            }
        }

        return path;
    }
}
