using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using OciBuild.Core;

namespace OciBuild.Layers.Tests;

/// <summary>Builds tar streams entry by entry with System.Formats.Tar, including ones no honest tool writes.</summary>
internal static class TestTar
{
    public static readonly DateTimeOffset EntryTime = new(2021, 3, 4, 5, 6, 7, TimeSpan.Zero);

    public static byte[] Create(params TarEntry[] entries)
    {
        var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                writer.WriteEntry(entry);
            }
        }

        return output.ToArray();
    }

    public static TarEntry Directory(string name, UnixFileMode mode = (UnixFileMode)0b111_101_101)
        => new PaxTarEntry(TarEntryType.Directory, name) { Mode = mode, ModificationTime = EntryTime };

    public static TarEntry File(string name, string content, UnixFileMode mode = (UnixFileMode)0b110_100_100)
        => new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            Mode = mode,
            ModificationTime = EntryTime,
            DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
        };

    public static TarEntry Symlink(string name, string target)
        => new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target, ModificationTime = EntryTime, Mode = (UnixFileMode)0b111_111_111 };

    public static TarEntry HardLink(string name, string target)
        => new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target, ModificationTime = EntryTime };

    public static byte[] Gzip(byte[] content)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }

    public static byte[] Gunzip(byte[] content)
    {
        using var gzip = new GZipStream(new MemoryStream(content), CompressionMode.Decompress);
        var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    public static Digest Sha256(byte[] content) => Digest.FromSha256Hash(SHA256.HashData(content));

    /// <summary>Extracts an uncompressed tar onto <paramref name="root"/>.</summary>
    public static Task<Digest> ExtractAsync(byte[] tar, string root)
        => LayerExtractor.ExtractAsync(new MemoryStream(tar), MediaTypes.OciLayer, root, "test-layer", CancellationToken.None);

    /// <summary>Lists every path under <paramref name="directory"/>, relative and sorted, without following symlinks.</summary>
    public static List<string> ListTree(string directory)
    {
        var paths = new List<string>();
        AddTree(directory, directory, paths);
        paths.Sort(StringComparer.Ordinal);
        return paths;
    }

    private static void AddTree(string root, string directory, List<string> paths)
    {
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            paths.Add(Path.GetRelativePath(root, entry.FullName));
            if (entry is DirectoryInfo && entry.LinkTarget is null)
            {
                AddTree(root, entry.FullName, paths);
            }
        }
    }
}
