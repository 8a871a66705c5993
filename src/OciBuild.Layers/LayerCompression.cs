using System.IO.Compression;
using OciBuild.Core;
using OciBuild.Core.Errors;
using ZstdSharp;

namespace OciBuild.Layers;

/// <summary>
/// Decides how a layer blob is compressed from its media type, checks that against the blob's first
/// bytes, and opens the uncompressed tar stream.
/// </summary>
public static class LayerCompression
{
    private static readonly byte[] GzipMagic = [0x1F, 0x8B];
    private static readonly byte[] ZstdMagic = [0x28, 0xB5, 0x2F, 0xFD];

    private enum Compression
    {
        None,
        Gzip,
        Zstd,
    }

    /// <summary>
    /// Returns a stream of the uncompressed tar in <paramref name="blob"/>. The returned stream
    /// leaves <paramref name="blob"/> open when it is disposed.
    /// </summary>
    public static async Task<Stream> OpenTarAsync(Stream blob, string mediaType, string layerName, CancellationToken cancellationToken)
    {
        var declared = FromMediaType(mediaType, layerName);

        byte[] prefix = await PrefixedStream.ReadPrefixAsync(blob, ZstdMagic.Length, cancellationToken).ConfigureAwait(false);
        var found = prefix.AsSpan().StartsWith(GzipMagic) ? Compression.Gzip
            : IsZstdFrame(prefix) ? Compression.Zstd
            : Compression.None;

        // An uncompressed tar has no magic at its start, so None only means "neither gzip nor zstd".
        if (found != declared)
        {
            string firstBytes = prefix.Length == 0 ? "none, the blob is empty" : Convert.ToHexString(prefix);
            throw new OciException(
                ErrorCodes.LayerInvalid,
                $"layer {layerName} has media type {mediaType}, which declares {DescribeDeclared(declared)}, but its content {DescribeFound(found)} (first bytes: {firstBytes}). The blob does not match its descriptor; pull the image again or fix the layer's media type in the manifest.");
        }

        // GZipStream reads every member of a multi-member gzip file, and DecompressionStream every
        // frame of a zstd stream, so layers written in several parts come out whole.
        var content = new PrefixedStream(prefix, blob);
        return declared switch
        {
            Compression.Gzip => new GZipStream(content, CompressionMode.Decompress, leaveOpen: false),
            Compression.Zstd => new DecompressionStream(content, checkEndOfStream: true, leaveOpen: false),
            _ => content,
        };
    }

    // RFC 8878, section 3.1: a zstd stream starts with a frame, either a Zstandard frame (magic
    // 0xFD2FB528, little-endian) or a skippable frame (0x184D2A50 to 0x184D2A5F).
    private static bool IsZstdFrame(ReadOnlySpan<byte> prefix)
        => prefix.StartsWith(ZstdMagic)
           || (prefix.Length == 4 && (prefix[0] & 0xF0) == 0x50 && prefix[1] == 0x2A && prefix[2] == 0x4D && prefix[3] == 0x18);

    private static Compression FromMediaType(string mediaType, string layerName)
    {
        if (MediaTypes.IsGzipLayer(mediaType) || mediaType.EndsWith("+gzip", StringComparison.Ordinal) || mediaType.EndsWith(".tar.gzip", StringComparison.Ordinal))
        {
            return Compression.Gzip;
        }

        if (mediaType.EndsWith("+zstd", StringComparison.Ordinal))
        {
            return Compression.Zstd;
        }

        // OCI's plain and non-distributable tar types end in ".tar", as does Docker's uncompressed rootfs diff.
        if (mediaType.StartsWith("application/vnd.", StringComparison.Ordinal) && mediaType.EndsWith(".tar", StringComparison.Ordinal))
        {
            return Compression.None;
        }

        throw new OciException(
            ErrorCodes.LayerUnsupported,
            $"layer {layerName} has media type \"{mediaType}\", which is not a tar, tar+gzip or tar+zstd layer type this tool can extract");
    }

    private static string DescribeDeclared(Compression compression) => compression switch
    {
        Compression.Gzip => "gzip-compressed content",
        Compression.Zstd => "zstd-compressed content",
        _ => "an uncompressed tar",
    };

    private static string DescribeFound(Compression compression) => compression switch
    {
        Compression.Gzip => "starts with the gzip magic bytes 1F8B",
        Compression.Zstd => "starts with zstd frame magic bytes (28B52FFD, or 5?2A4D18 for a skippable frame)",
        _ => "does not start with the gzip magic bytes 1F8B or with zstd frame magic bytes",
    };
}
