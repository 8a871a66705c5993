using System.IO.Compression;
using OciBuild.Layers;

namespace OciBuild.Tasks;

/// <summary>Chooses the gzip level of a published layer from the size of its files.</summary>
/// <remarks>
/// Compressing the runtime of a self-contained app dominates a cold publish. A throwaway console program
/// compressed the 82.8 MB tar of a self-contained HelloEcho in memory with GZipStream (.NET 10.0.12,
/// zlib-ng) on a 2-core AMD EPYC VM shared with other jobs. In its warm second round, level 1 (Fastest)
/// took 0.73 s for 45.2 MB, level 2 1.38 s for 38.6 MB, level 6 (Optimal) 2.67 s for 36.6 MB and
/// level 9 (SmallestSize) 6.15 s for 35.3 MB.
/// Level 1 is 3.5 times faster than level 6 for a blob 23% larger, which a loopback or LAN registry
/// moves in less time than the difference. Small layers, such as the app's own files, take milliseconds
/// at any level, so they keep Optimal and stay as small as before.
/// </remarks>
internal static class LayerCompressionChoice
{
    /// <summary>Input size from which a layer is compressed with <see cref="CompressionLevel.Fastest"/>.</summary>
    public const long FastestFromBytes = 16L << 20;

    public static CompressionLevel For(IReadOnlyList<LayerFile> files)
        => InputBytes(files) >= FastestFromBytes ? CompressionLevel.Fastest : CompressionLevel.Optimal;

    /// <summary>Returns the total size of the regular files among <paramref name="files"/>, as they are on disk.</summary>
    public static long InputBytes(IReadOnlyList<LayerFile> files)
    {
        long total = 0;
        foreach (var file in files)
        {
            if (file.Kind == LayerFileKind.File)
            {
                total += new FileInfo(file.SourcePath).Length;
            }
        }

        return total;
    }
}
