using System.IO.Compression;
using OciBuild.Core;

namespace OciBuild.Layers;

/// <summary>
/// Builds reproducible layers: on the same .NET runtime, the same files and options give the same
/// bytes, whatever the files' times, on-disk modes other than the execute bits, and creation order.
/// </summary>
public static class LayerBuilder
{
    private const int FileMode = 0b110_100_100;        // 0644
    private const int ExecutableMode = 0b111_101_101;  // 0755

    private const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>
    /// Writes <paramref name="files"/> as a tar, compressed with <see cref="LayerOptions.Compression"/>, to <paramref name="output"/> and
    /// returns its diff ID, digest and size. Both digests are computed while writing, so the layer
    /// is never held in memory. <paramref name="output"/> stays open.
    /// </summary>
    /// <remarks>
    /// Every entry has the owner and time from <paramref name="options"/> and no user or group name.
    /// Directories get mode 0755, and files get 0644, or 0755 when any execute bit is set on disk or
    /// <see cref="LayerOptions.IsExecutable"/> returns true. Symlinks are stored with mode 0777, as Linux reports them.
    /// A file with <see cref="LayerFile.Metadata"/> keeps the owner, mode and time set there instead.
    /// </remarks>
    /// <exception cref="Core.Errors.OciException">An option or a file's path or kind is invalid (code OCIB1007).</exception>
    /// <exception cref="IOException">A source file cannot be read or changed while it was read.</exception>
    public static async Task<BuiltLayer> BuildAsync(IEnumerable<LayerFile> files, LayerOptions options, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);

        var destination = options.Validate();
        var entries = LayerEntryPlan.Create(files, destination);

        // The tar goes through one hashing stream for the diff ID, then gzip, then another for the digest.
        using var blob = HashingStream.ForWriting(output);
        Digest diffId;

        // GZipStream (zlib-ng in .NET 9 and later, zlib in .NET 8) writes 0 in the header's MTIME field
        // and sets no flags, so the gzip header contains no time or file name. A test checks both.
        // The header's OS byte is the build platform's, 3 on Linux.
        // NOTE: the compressed bytes, and so the blob digest, can differ between zlib versions and
        // .NET versions. The diff ID depends only on the files and options.
        var compressor = LayerCompressor.Open(blob, options);
        await using (compressor.ConfigureAwait(false))
        {
            using var tar = HashingStream.ForWriting(compressor);
            var writer = new UstarWriter(tar, options.UserId, options.GroupId, options.ModificationTime.ToUnixTimeSeconds());
            foreach (var entry in entries)
            {
                await WriteEntryAsync(writer, entry, options, cancellationToken).ConfigureAwait(false);
            }

            await writer.FinishAsync(cancellationToken).ConfigureAwait(false);
            diffId = tar.GetDigest();
        }

        // Disposing the compressing stream wrote its trailer, so the blob digest and size are complete now.
        await blob.FlushAsync(cancellationToken).ConfigureAwait(false);
        return new BuiltLayer(diffId, blob.GetDigest(), blob.BytesHashed, LayerCompressor.MediaType(options.Compression));
    }

    private static async Task WriteEntryAsync(UstarWriter writer, PlannedEntry entry, LayerOptions options, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        var metadata = entry.File?.Metadata;
        switch (entry.Kind)
        {
            case LayerFileKind.Directory:
                await writer.WriteDirectoryAsync(entry.ArchiveName, metadata, cancellationToken).ConfigureAwait(false);
                break;

            case LayerFileKind.Symlink:
                await writer.WriteSymlinkAsync(entry.ArchiveName, entry.File!.LinkTarget!, metadata, cancellationToken).ConfigureAwait(false);
                break;

            case LayerFileKind.HardLink:
                await writer.WriteHardLinkAsync(entry.ArchiveName, entry.HardLinkName!, FileMode, metadata, cancellationToken).ConfigureAwait(false);
                break;

            case LayerFileKind.CharacterDevice or LayerFileKind.BlockDevice or LayerFileKind.Fifo:
                byte typeFlag = entry.Kind switch
                {
                    LayerFileKind.CharacterDevice => TarTypeFlag.CharacterDevice,
                    LayerFileKind.BlockDevice => TarTypeFlag.BlockDevice,
                    _ => TarTypeFlag.Fifo,
                };
                await writer.WriteNodeAsync(entry.ArchiveName, typeFlag, FileMode, entry.File!.Device, metadata, cancellationToken).ConfigureAwait(false);
                break;

            case LayerFileKind.Whiteout or LayerFileKind.OpaqueWhiteout:
                await writer.WriteFileAsync(entry.ArchiveName, FileMode, Stream.Null, 0, entry.ArchiveName, cancellationToken).ConfigureAwait(false);
                break;

            default:
                var file = entry.File!;
                int mode = metadata?.Mode is not null || !IsExecutable(file, options) ? FileMode : ExecutableMode;
                var content = new FileStream(file.SourcePath, System.IO.FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
                await using (content.ConfigureAwait(false))
                {
                    await writer.WriteFileAsync(entry.ArchiveName, mode, content, content.Length, file.SourcePath, metadata, cancellationToken).ConfigureAwait(false);
                }

                break;
        }
    }

    private static bool IsExecutable(LayerFile file, LayerOptions options)
    {
        if (options.IsExecutable?.Invoke(file.RelativePath) == true)
        {
            return true;
        }

        return !OperatingSystem.IsWindows() && (File.GetUnixFileMode(file.SourcePath) & AnyExecute) != 0;
    }
}
