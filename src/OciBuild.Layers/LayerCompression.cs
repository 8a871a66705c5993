using System.IO.Compression;
using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Layers;

/// <summary>
/// Decides how a layer blob is compressed from its media type, checks that against the blob's first
/// bytes, and opens the uncompressed tar stream.
/// </summary>
internal static class LayerCompression
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
        if (declared == Compression.Zstd)
        {
            throw new OciException(
                ErrorCodes.LayerUnsupported,
                $"layer {layerName} is zstd-compressed ({mediaType}), and zstd layers are not supported yet. Use an image variant with gzip layers.");
        }

        byte[] prefix = await PrefixedStream.ReadPrefixAsync(blob, ZstdMagic.Length, cancellationToken).ConfigureAwait(false);
        var found = prefix.AsSpan().StartsWith(GzipMagic) ? Compression.Gzip
            : prefix.AsSpan().StartsWith(ZstdMagic) ? Compression.Zstd
            : Compression.None;

        // An uncompressed tar has no magic at its start, so None only means "neither gzip nor zstd".
        if (found != declared)
        {
            string firstBytes = prefix.Length == 0 ? "none, the blob is empty" : Convert.ToHexString(prefix);
            throw new OciException(
                ErrorCodes.LayerInvalid,
                $"layer {layerName} has media type {mediaType}, which declares {DescribeDeclared(declared)}, but its content {DescribeFound(found)} (first bytes: {firstBytes}). The blob does not match its descriptor; pull the image again or fix the layer's media type in the manifest.");
        }

        var content = new PrefixedStream(prefix, blob);
        return declared == Compression.Gzip ? new GZipStream(content, CompressionMode.Decompress, leaveOpen: false) : content;
    }

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

    private static string DescribeDeclared(Compression compression)
        => compression == Compression.Gzip ? "gzip-compressed content" : "an uncompressed tar";

    private static string DescribeFound(Compression compression) => compression switch
    {
        Compression.Gzip => "starts with the gzip magic bytes 1F8B",
        Compression.Zstd => "starts with the zstd magic bytes 28B52FFD",
        _ => "does not start with the gzip magic bytes 1F8B",
    };
}
