using System.Formats.Tar;
using System.Runtime.Versioning;
using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Layers;

/// <summary>Unpacks layer blobs onto a rootfs directory, one layer on top of the other.</summary>
public static class LayerExtractor
{
    private const int DrainBufferSize = 16 * 1024;

    /// <summary>
    /// Extracts the layer in <paramref name="blob"/> onto <paramref name="rootDirectory"/> and returns
    /// its diff ID, computed while reading, for the caller to compare with the image config's
    /// <c>rootfs.diff_ids</c>. Whiteouts remove files of the layers extracted before.
    /// </summary>
    /// <remarks>
    /// Nothing is written outside <paramref name="rootDirectory"/>: absolute entry names and symlinks
    /// in the rootfs are resolved as if the root directory were <c>/</c>. Owners are set, and device
    /// nodes and FIFOs created, only when this process runs as root.
    /// </remarks>
    /// <param name="blob">The layer blob; it is read to its end and stays open.</param>
    /// <param name="mediaType">The blob's media type from the manifest: tar, tar+gzip or tar+zstd.</param>
    /// <param name="rootDirectory">The rootfs directory; it is created when missing.</param>
    /// <param name="layerName">A name for the layer in error messages, such as its digest.</param>
    /// <param name="cancellationToken">Stops extraction between reads, leaving the rootfs incomplete.</param>
    /// <exception cref="OciException">
    /// The layer tries to write outside the root (<see cref="ErrorCodes.LayerUnsafe"/>), is malformed or does
    /// not match its media type (<see cref="ErrorCodes.LayerInvalid"/>), or needs something this tool
    /// cannot do: an unknown media type or entry type, sparse files, or device nodes without root (<see cref="ErrorCodes.LayerUnsupported"/>).
    /// In every case the rootfs is left incomplete.
    /// </exception>
    /// <exception cref="PlatformNotSupportedException">This is not Linux.</exception>
    public static Task<Digest> ExtractAsync(Stream blob, string mediaType, string rootDirectory, string layerName, CancellationToken cancellationToken)
        => ExtractAsync(blob, mediaType, rootDirectory, layerName, isRoot: null, cancellationToken);

    /// <summary>
    /// Extracts a layer like the public overload, but sets owners and creates device nodes only when
    /// <paramref name="isRoot"/> is true (null: when this process runs as root), so that tests running
    /// as root can check the unprivileged path.
    /// </summary>
    internal static async Task<Digest> ExtractAsync(Stream blob, string mediaType, string rootDirectory, string layerName, bool? isRoot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentNullException.ThrowIfNull(mediaType);
        ArgumentException.ThrowIfNullOrEmpty(rootDirectory);
        ArgumentNullException.ThrowIfNull(layerName);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException($"cannot extract layer {layerName}: extracting layers needs Linux for symlinks, owners and device nodes");
        }

        string root = Path.GetFullPath(rootDirectory);
        Directory.CreateDirectory(root);

        var tarStream = await LayerCompression.OpenTarAsync(blob, mediaType, layerName, cancellationToken).ConfigureAwait(false);
        await using (tarStream.ConfigureAwait(false))
        {
            using var tar = HashingStream.ForReading(tarStream);
            var writer = new RootfsWriter(root, layerName, isRoot ?? LibC.IsRoot);
            try
            {
                await ApplyEntriesAsync(tar, writer, layerName, cancellationToken).ConfigureAwait(false);
                writer.Finish();
            }
            catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or ZstdSharp.ZstdException)
            {
                throw new OciException(
                    ErrorCodes.LayerInvalid,
                    $"layer {layerName} is not a valid {mediaType} blob: {e.Message}. Pull the image again; if the error stays, the image is broken.",
                    e);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"extracting layer {layerName} to {root} failed: {e.Message}", e);
            }

            return tar.GetDigest();
        }
    }

    [SupportedOSPlatform("linux")]
    private static async Task ApplyEntriesAsync(HashingStream tar, RootfsWriter writer, string layerName, CancellationToken cancellationToken)
    {
        var reader = new TarReader(tar, leaveOpen: true);
        await using (reader.ConfigureAwait(false))
        {
            string? previousName = null;
            while (await ReadNextEntryAsync(reader, layerName, previousName, cancellationToken).ConfigureAwait(false) is { } entry)
            {
                await writer.ApplyAsync(entry, cancellationToken).ConfigureAwait(false);
                previousName = entry.Name;
            }
        }

        // The diff ID covers the whole uncompressed stream, including padding that writers such as
        // GNU tar add after the two end blocks to fill a 10 KiB record.
        byte[] buffer = new byte[DrainBufferSize];
        while (await tar.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) > 0)
        {
        }
    }

    // TarReader raises NotSupportedException for header types it cannot read, such as GNU sparse
    // files ('S'), before the entry's name is known, so the error names the entry before it.
    private static async Task<TarEntry?> ReadNextEntryAsync(TarReader reader, string layerName, string? previousName, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false);
        }
        catch (NotSupportedException e)
        {
            string position = previousName is null ? "the first entry" : $"the entry after \"{previousName}\"";
            throw new OciException(
                ErrorCodes.LayerUnsupported,
                $"layer {layerName}: {position} cannot be extracted: {e.Message} Rebuild the layer without GNU sparse or multi-volume entries.",
                e);
        }
    }
}
