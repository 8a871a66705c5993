using System.Formats.Tar;
using System.Security.Cryptography;
using OciBuild.Core;
using OciBuild.Layers;
using OciBuild.Storage;

namespace OciBuild.Cli.Tests.Storage;

/// <summary>
/// The copied rootfs that working containers get where overlayfs cannot be mounted: layer cache
/// entries merged in order, and the comparison that commit uses to find the changes.
/// </summary>
public sealed class CopiedRootfsTests : IDisposable
{
    private static readonly DateTime FixedTime = new(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    private readonly string _directory = Directory.CreateTempSubdirectory("ocibuild-copied-rootfs-").FullName;

    public void Dispose() => FileTree.Delete(_directory);

    [Fact]
    public async Task Merge_applies_cached_whiteouts()
    {
        var cache = new LayerCache(_directory);
        string lower = await CacheAsync(cache, FileEntry("a/file", "lower"), FileEntry("a/keep", "lower"), FileEntry("d/old", "lower"));
        string upper = await CacheAsync(cache, FileEntry("a/.wh.file", ""), DirectoryEntry("d"), FileEntry("d/.wh..wh..opq", ""), FileEntry("d/new", "upper"));
        string rootfs = Path.Combine(_directory, "rootfs");

        LayerMerge.Apply([lower, upper], rootfs);

        Assert.Equal(["a", "a/keep", "d", "d/new"], ListTree(rootfs));
        Assert.Equal("upper", File.ReadAllText(Path.Combine(rootfs, "d", "new")));
    }

    [Fact]
    public void Compare_lists_added_changed_and_deleted()
    {
        string pristine = Path.Combine(_directory, "pristine");
        string current = Path.Combine(_directory, "current");
        foreach (string root in new[] { pristine, current })
        {
            Write(root, "same", "same");
            Write(root, "changed", "old");
            Write(root, "gone/inside", "x");
            Write(root, "dir/deleted", "x");
        }

        Write(current, "changed", "new content");
        Write(current, "dir/added", "added");
        FileTree.Delete(Path.Combine(current, "gone"));
        File.Delete(Path.Combine(current, "dir", "deleted"));
        File.SetLastWriteTimeUtc(Path.Combine(current, "same"), FixedTime);
        File.SetLastWriteTimeUtc(Path.Combine(pristine, "same"), FixedTime);

        var files = ContainerChanges.Compare(pristine, current).Files.Select(f => (f.RelativePath, f.Kind)).ToList();

        Assert.Equal(
            [("changed", LayerFileKind.File), ("dir", LayerFileKind.Directory), ("dir/added", LayerFileKind.File), ("dir/deleted", LayerFileKind.Whiteout), ("gone", LayerFileKind.Whiteout)],
            files.OrderBy(f => f.RelativePath, StringComparer.Ordinal));
    }

    [Fact]
    public void Compare_finds_mode_change()
    {
        string pristine = Path.Combine(_directory, "pristine");
        string current = Path.Combine(_directory, "current");
        Write(pristine, "tool", "#!/bin/sh");
        Write(current, "tool", "#!/bin/sh");
        File.SetLastWriteTimeUtc(Path.Combine(current, "tool"), FixedTime);
        File.SetLastWriteTimeUtc(Path.Combine(pristine, "tool"), FixedTime);
        File.SetUnixFileMode(Path.Combine(current, "tool"), (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Path.Combine(pristine, "tool"), (UnixFileMode)0b110_100_100);

        var files = ContainerChanges.Compare(pristine, current).Files;

        Assert.Equal(["tool"], files.Select(f => f.RelativePath));
    }

    [Fact]
    public void Compare_keeps_metadata_of_changes_and_parents()
    {
        string pristine = Path.Combine(_directory, "pristine");
        string current = Path.Combine(_directory, "current");
        foreach (string root in new[] { pristine, current })
        {
            Directory.CreateDirectory(Path.Combine(root, "owned"));
            FileOwner.Set(Path.Combine(root, "owned"), 1234, 5678);
            File.SetUnixFileMode(Path.Combine(root, "owned"), (UnixFileMode)0b111_101_000);
        }

        Write(current, "owned/setuid", "x");
        File.SetUnixFileMode(Path.Combine(current, "owned", "setuid"), (UnixFileMode)0b100_111_101_101);
        File.SetLastWriteTimeUtc(Path.Combine(current, "owned", "setuid"), FixedTime);
        Write(current, "z-first", "shared");
        CreateHardLink(Path.Combine(current, "z-first"), Path.Combine(current, "a-second"));

        var files = ContainerChanges.Compare(pristine, current).Files.ToDictionary(f => f.RelativePath);

        Assert.Equal(LayerFileKind.Directory, files["owned"].Kind);
        Assert.Equal(1234, files["owned"].Metadata!.UserId);
        Assert.Equal(5678, files["owned"].Metadata!.GroupId);
        Assert.Equal((UnixFileMode)0b111_101_000, files["owned"].Metadata!.Mode);
        Assert.Equal((UnixFileMode)0b100_111_101_101, files["owned/setuid"].Metadata!.Mode);
        Assert.Equal(new DateTimeOffset(FixedTime), files["owned/setuid"].Metadata!.ModificationTime);
        Assert.Equal(LayerFileKind.File, files["a-second"].Kind);
        Assert.Equal(LayerFileKind.HardLink, files["z-first"].Kind);
        Assert.Equal("a-second", files["z-first"].LinkTarget);
    }

    private static async Task<string> CacheAsync(LayerCache cache, params TarEntry[] entries)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                writer.WriteEntry(entry);
            }
        }

        byte[] bytes = tar.ToArray();
        var digest = Digest.FromSha256Hash(SHA256.HashData(bytes));
        var descriptor = new Descriptor { MediaType = MediaTypes.OciLayer, Digest = digest, Size = bytes.Length };
        return await cache.EnsureAsync(descriptor, digest, () => new MemoryStream(bytes), $"test layer {digest}", CancellationToken.None);
    }

    private static PaxTarEntry FileEntry(string name, string content) => new(TarEntryType.RegularFile, name)
    {
        DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)),
        Mode = (UnixFileMode)0b110_100_100,
    };

    private static PaxTarEntry DirectoryEntry(string name) => new(TarEntryType.Directory, name) { Mode = (UnixFileMode)0b111_101_101 };

    // .NET has no API for hard links, so coreutils ln makes one.
    private static void CreateHardLink(string existing, string link)
    {
        using var ln = System.Diagnostics.Process.Start("ln", [existing, link]);
        ln.WaitForExit();
        Assert.Equal(0, ln.ExitCode);
    }

    private static void Write(string root, string relativePath, string content)
    {
        string path = Path.Combine(root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private static List<string> ListTree(string root)
        => Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(root, p))
            .Order(StringComparer.Ordinal)
            .ToList();
}
