using System.IO.Compression;
using OciBuild.Layers;

namespace OciBuild.Tasks;

/// <summary>Chooses the gzip level and the parallel compression part size of a published layer from the size of its files.</summary>
/// <remarks>
/// Compressing the runtime of a self-contained app dominates a cold publish. A throwaway console program
/// compressed the 82.8 MB tar of a self-contained HelloEcho in memory with GZipStream (.NET 10.0.12,
/// zlib-ng) on a 2-core AMD EPYC VM shared with other jobs. In its warm second round, level 1 (Fastest)
/// took 0.73 s for 45.2 MB, level 2 1.38 s for 38.6 MB, level 6 (Optimal) 2.67 s for 36.6 MB and
/// level 9 (SmallestSize) 6.15 s for 35.3 MB.
/// Level 1 is 3.5 times faster than level 6 for a blob 23% larger, which a loopback or LAN registry
/// moves in less time than the difference. Small layers, such as the app's own files, take milliseconds
/// at any level, so they keep Optimal and stay as small as before.
/// A large layer, gzip or zstd, is also cut into parts of <see cref="ParallelPartSize"/> tar bytes that
/// are compressed on every core. In a throwaway program on the same VM (2 cores, load average near 4
/// from other jobs), LayerBuilder wrote the 80 MB publish folder of a self-contained HelloEcho at gzip
/// level 1 to a file. The median of 9 rounds was 520 ms as one member, and 281, 294 and 295 ms in
/// members of 1, 2 and 4 MiB. Peak working set grew from 52 MB to 74, 92 and 127 MB, and the blob
/// grew from 45,155,376 bytes by 0.13%, 0.09% and 0.02%. At zstd level 3, frames of 1 MiB took about
/// the same CPU time as one frame (about 0.8 s) and made the blob 1.8% larger (34,816,589 to 35,460,076 bytes).
/// </remarks>
internal static class LayerCompressionChoice
{
    /// <summary>Input size from which a layer is compressed with <see cref="CompressionLevel.Fastest"/> and in parallel parts.</summary>
    public const long FastestFromBytes = 16L << 20;

    /// <summary>Tar bytes per gzip member or zstd frame of a layer of <see cref="FastestFromBytes"/> or more.</summary>
    public const int ParallelPartSize = 1 << 20;

    /// <summary>Returns <paramref name="options"/> with the gzip level, and for a large layer the part size, chosen for <paramref name="files"/>.</summary>
    public static LayerOptions Apply(LayerOptions options, IReadOnlyList<LayerFile> files)
        => InputBytes(files) >= FastestFromBytes
            ? options with { CompressionLevel = CompressionLevel.Fastest, ParallelPartSize = ParallelPartSize }
            : options with { CompressionLevel = CompressionLevel.Optimal };

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
