using System.IO.Compression;
using OciBuild.Core;
using ZstdSharp;

namespace OciBuild.Layers;

/// <summary>Opens the compressing stream that <see cref="LayerBuilder"/> writes a tar through, with the compression that <see cref="LayerOptions"/> sets.</summary>
internal static class LayerCompressor
{
    public static string MediaType(LayerCompressionFormat format) => format switch
    {
        LayerCompressionFormat.Zstd => MediaTypes.OciLayerZstd,
        _ => MediaTypes.OciLayerGzip,
    };

    /// <summary>Returns a stream that compresses into <paramref name="output"/> and leaves it open when disposed.</summary>
    public static Stream Open(Stream output, LayerOptions options)
    {
        if (options.ParallelPartSize is { } partSize)
        {
            return new ParallelCompressionStream(output, partSize, options.CompressionWorkerCount, part => OpenSingle(part, options));
        }

        return OpenSingle(output, options);
    }

    private static Stream OpenSingle(Stream output, LayerOptions options)
    {
        if (options.Compression == LayerCompressionFormat.Zstd)
        {
            // One thread and no content size in the frame header, so the frame depends only on the
            // tar bytes and the level. The bytes can still change with the ZstdSharp version.
            return new CompressionStream(output, options.CompressionLevelNumber ?? LayerOptions.DefaultZstdLevel, leaveOpen: true);
        }

        if (options.CompressionLevelNumber is not { } level)
        {
            return new GZipStream(output, options.CompressionLevel, leaveOpen: true);
        }

#if NET9_0_OR_GREATER
        return new GZipStream(output, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true);
#else
        // NOTE: .NET 8 offers only the named levels, so the net8.0 build of the tasks (loaded by
        // SDK 8 and 9) rounds a numeric gzip level to the nearest of them: 1-3 Fastest, 4-8 Optimal, 9 SmallestSize.
        var named = level switch
        {
            <= 3 => CompressionLevel.Fastest,
            >= 9 => CompressionLevel.SmallestSize,
            _ => CompressionLevel.Optimal,
        };
        return new GZipStream(output, named, leaveOpen: true);
#endif
    }
}
