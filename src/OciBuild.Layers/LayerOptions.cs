using System.IO.Compression;
using OciBuild.Core.Errors;

namespace OciBuild.Layers;

/// <summary>Settings that decide the bytes of a layer that <see cref="LayerBuilder"/> writes.</summary>
public sealed record LayerOptions
{
    /// <summary>The latest time a ustar header can contain: 11 octal digits of seconds, early in the year 2242.</summary>
    internal static readonly DateTimeOffset MaxModificationTime = DateTimeOffset.FromUnixTimeSeconds(0x1_FFFF_FFFF);

    /// <summary>
    /// Absolute path inside the image that the files are placed under, such as <c>/app</c>.
    /// The directories on the way there become entries of the layer too.
    /// </summary>
    public string DestinationDirectory { get; init; } = "/app";

    /// <summary>Owner user ID of every entry.</summary>
    public int UserId { get; init; }

    /// <summary>Owner group ID of every entry.</summary>
    public int GroupId { get; init; }

    /// <summary>
    /// Modification time of every entry, so that the layer does not depend on when its files were
    /// written. Callers pass <c>SOURCE_DATE_EPOCH</c> when it is set. Fractions of a second are dropped.
    /// </summary>
    public DateTimeOffset ModificationTime { get; init; } = DateTimeOffset.UnixEpoch;

    /// <summary>gzip compression level of the blob. It changes the blob digest, never the diff ID.</summary>
    /// <remarks>
    /// Optimal is the default because a layer is compressed once and downloaded on every pull. Measured
    /// on /usr/share/dotnet/shared (337 entries, 109 MB of files), built to Stream.Null by a throwaway
    /// console program with a warm page cache, on a 2-core AMD EPYC VM with .NET 10.0.12 (zlib-ng):
    /// Fastest took 0.7 to 0.9 s for 60.3 MB (55% of the input), Optimal 1.7 to 2.3 s for 49.1 MB (45%),
    /// and SmallestSize 6.3 s for 47.4 MB (43%).
    /// </remarks>
    public CompressionLevel CompressionLevel { get; init; } = CompressionLevel.Optimal;

    /// <summary>The blob's compression, gzip unless set. It decides the layer's media type.</summary>
    public LayerCompressionFormat Compression { get; init; } = LayerCompressionFormat.Gzip;

    /// <summary>
    /// Numeric level for <see cref="Compression"/>: 1 to 9 for gzip, where it replaces
    /// <see cref="CompressionLevel"/>, and 1 to 22 for zstd. Null takes <see cref="CompressionLevel"/>
    /// for gzip and level 3, zstd's own default, for zstd.
    /// </summary>
    public int? CompressionLevelNumber { get; init; }

    /// <summary>
    /// Tar bytes per independently compressed part, or null to compress the tar as one stream. When set,
    /// the tar is cut at every multiple of this size, and each part becomes a gzip member or a zstd frame,
    /// compressed on all cores at once. It changes the blob digest, never the diff ID, and the blob is the
    /// same for any number of cores.
    /// </summary>
    public int? ParallelPartSize { get; init; }

    /// <summary>The smallest <see cref="ParallelPartSize"/>: every part starts with an empty history (deflate's window is 32 KiB) and adds a header and trailer.</summary>
    public const int MinParallelPartSize = 64 << 10;

    /// <summary>The largest <see cref="ParallelPartSize"/>. About twice as many parts as workers are in memory at once.</summary>
    public const int MaxParallelPartSize = 64 << 20;

    /// <summary>Number of parts compressed at the same time when <see cref="ParallelPartSize"/> is set. It never changes the blob.</summary>
    internal int CompressionWorkerCount { get; init; } = Environment.ProcessorCount;

    /// <summary>The level zstd itself uses when none is given.</summary>
    public const int DefaultZstdLevel = 3;

    /// <summary>
    /// Marks files as executable (mode 0755) by their <see cref="LayerFile.RelativePath"/>, in addition
    /// to files whose execute bit is set on disk. It is the only source of execute bits on Windows,
    /// where files have no Unix mode.
    /// </summary>
    public Func<string, bool>? IsExecutable { get; init; }

    /// <summary>
    /// Returns the levels <see cref="CompressionLevelNumber"/> accepts: zlib's 1 (fastest) to 9 (smallest)
    /// for gzip, and zstd's positive levels 1 to 22 for zstd. zstd's negative (fast) levels are left out.
    /// </summary>
    public static (int Min, int Max) CompressionLevelRange(LayerCompressionFormat format)
        => format == LayerCompressionFormat.Zstd ? (1, 22) : (1, 9);

    /// <summary>Returns <see cref="DestinationDirectory"/> as archive path components, raising an error when it is invalid.</summary>
    internal IReadOnlyList<string> Validate()
    {
        if (UserId < 0 || GroupId < 0)
        {
            throw new OciException(ErrorCodes.InvalidArgument, $"invalid layer owner {UserId}:{GroupId}: user and group IDs must be 0 or greater");
        }

        if (ModificationTime < DateTimeOffset.UnixEpoch || ModificationTime > MaxModificationTime)
        {
            throw new OciException(
                ErrorCodes.InvalidArgument,
                $"invalid layer modification time {ModificationTime:O}: use a time from {DateTimeOffset.UnixEpoch:O} to {MaxModificationTime:O}, such as SOURCE_DATE_EPOCH");
        }

        if (!Enum.IsDefined(CompressionLevel))
        {
            throw new OciException(ErrorCodes.InvalidArgument, $"invalid layer compression level {(int)CompressionLevel}: use Optimal, Fastest, SmallestSize or NoCompression");
        }

        ValidateCompression();

        string destination = DestinationDirectory ?? "";
        if (!destination.StartsWith('/'))
        {
            throw new OciException(
                ErrorCodes.InvalidArgument,
                $"invalid layer destination directory \"{destination}\": use an absolute path inside the image, such as /app");
        }

        string[] components = destination.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (components.Any(c => c is "." or ".." || c.Contains('\\')))
        {
            throw new OciException(
                ErrorCodes.InvalidArgument,
                $"invalid layer destination directory \"{destination}\": use forward slashes and no '.' or '..' components");
        }

        return components;
    }

    private void ValidateCompression()
    {
        if (!Enum.IsDefined(Compression))
        {
            throw new OciException(ErrorCodes.InvalidArgument, $"invalid layer compression {(int)Compression}: use Gzip or Zstd");
        }

        if (ParallelPartSize is { } partSize && (partSize < MinParallelPartSize || partSize > MaxParallelPartSize))
        {
            throw new OciException(
                ErrorCodes.InvalidArgument,
                $"invalid parallel compression part size {partSize} bytes: use {MinParallelPartSize} to {MaxParallelPartSize} bytes, or none to compress the tar as one stream");
        }

        if (CompressionWorkerCount < 1)
        {
            throw new OciException(ErrorCodes.InvalidArgument, $"invalid compression worker count {CompressionWorkerCount}: use 1 or more");
        }

        if (CompressionLevelNumber is not { } level)
        {
            return;
        }

        var (min, max) = CompressionLevelRange(Compression);
        if (level < min || level > max)
        {
            throw new OciException(ErrorCodes.InvalidArgument, $"invalid {Compression} compression level {level}: use {min} to {max}");
        }
    }
}
