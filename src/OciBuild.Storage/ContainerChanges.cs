using System.Runtime.Versioning;
using OciBuild.Layers;
using OciBuild.Storage.Linux;

namespace OciBuild.Storage;

/// <summary>
/// Lists what changed in a working container's rootfs as <see cref="LayerFile"/> entries for
/// <see cref="LayerBuilder"/>, deletions included as whiteouts. Every entry but a whiteout carries
/// its owner, mode (setuid, setgid and sticky included) and modification time in
/// <see cref="LayerFile.Metadata"/>, and a regular file with several changed names becomes one file
/// and hard links to it.
/// </summary>
/// <remarks>
/// NOTE: extended attributes, such as the file capabilities that setcap writes, are not read, so a
/// commit drops them. LayerFile has no field for them yet.
/// </remarks>
[SupportedOSPlatform("linux")]
public sealed class ContainerChanges
{
    // A ustar header's mtime field is 11 octal digits of seconds, and times before 1970 do not fit at all.
    private const long MaxUstarTime = 0x1_FFFF_FFFF;

    private readonly List<LayerFile> _files = [];
    private readonly List<string> _skipped = [];
    private readonly Dictionary<(ulong Inode, (int, int) FileSystem), List<int>> _linkedFiles = [];

    private ContainerChanges()
    {
    }

    /// <summary>The changed paths, each relative to the rootfs.</summary>
    public IReadOnlyList<LayerFile> Files => _files;

    /// <summary>Changed sockets, which a tar layer cannot contain.</summary>
    public IReadOnlyList<string> Skipped => _skipped;

    /// <summary>
    /// Reads the changes from an overlay upper directory: overlay whiteouts (0/0 character devices)
    /// become whiteouts and directories with <c>trusted.overlay.opaque=y</c> become opaque whiteouts.
    /// </summary>
    public static ContainerChanges FromUpperDirectory(string upperDirectory)
    {
        var changes = new ContainerChanges();
        changes.ScanUpper(upperDirectory, "");
        changes.LinkSharedFiles();
        return changes;
    }

    /// <summary>
    /// Compares a copied rootfs with a pristine copy of its image. A path counts as changed when its
    /// type, mode, owner, size, modification time or link target differs, the test that tar-based diff
    /// tools use too: content rewritten with the same size and time is not detected. The unchanged
    /// directories above a change are listed too, so that the layer keeps their owner and mode.
    /// </summary>
    public static ContainerChanges Compare(string pristineRootfs, string currentRootfs)
    {
        var changes = new ContainerChanges();
        changes.CompareDirectory(pristineRootfs, currentRootfs, "");
        changes.AddUnchangedParents(currentRootfs);
        changes.LinkSharedFiles();
        return changes;
    }

    private void ScanUpper(string directory, string relative)
    {
        foreach (string path in Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal))
        {
            string name = Join(relative, Path.GetFileName(path));
            var status = LinuxCalls.GetStatus(path);
            if (status.IsOverlayWhiteout)
            {
                _files.Add(new LayerFile(name, path, LayerFileKind.Whiteout));
                continue;
            }

            if (status.Type == FileType.Directory)
            {
                AddDirectory(name, path, status);
                if (LinuxCalls.GetAttribute(path, LayerCache.OpaqueAttribute) == "y")
                {
                    _files.Add(new LayerFile(name, path, LayerFileKind.OpaqueWhiteout));
                }

                ScanUpper(path, name);
                continue;
            }

            AddEntry(name, path, status);
        }
    }

    private void CompareDirectory(string pristine, string current, string relative)
    {
        var currentNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (string path in Directory.EnumerateFileSystemEntries(current).Order(StringComparer.Ordinal))
        {
            string fileName = Path.GetFileName(path);
            currentNames.Add(fileName);
            string name = Join(relative, fileName);
            var status = LinuxCalls.GetStatus(path);
            string pristinePath = Path.Combine(pristine, fileName);
            var before = LinuxCalls.TryGetStatus(pristinePath);

            if (status.Type == FileType.Directory && before?.Type == FileType.Directory)
            {
                if (status.Permissions != before.Permissions || status.UserId != before.UserId || status.GroupId != before.GroupId)
                {
                    AddDirectory(name, path, status);
                }

                CompareDirectory(pristinePath, path, name);
                continue;
            }

            if (before is not null && !Differs(before, pristinePath, status, path))
            {
                continue;
            }

            if (status.Type == FileType.Directory)
            {
                AddDirectory(name, path, status);
                ScanAll(path, name);
                continue;
            }

            AddEntry(name, path, status);
        }

        foreach (string path in Directory.EnumerateFileSystemEntries(pristine).Order(StringComparer.Ordinal))
        {
            if (!currentNames.Contains(Path.GetFileName(path)))
            {
                _files.Add(new LayerFile(Join(relative, Path.GetFileName(path)), path, LayerFileKind.Whiteout));
            }
        }
    }

    private void ScanAll(string directory, string relative)
    {
        foreach (string path in Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal))
        {
            string name = Join(relative, Path.GetFileName(path));
            var status = LinuxCalls.GetStatus(path);
            if (status.Type == FileType.Directory)
            {
                AddDirectory(name, path, status);
                ScanAll(path, name);
            }
            else
            {
                AddEntry(name, path, status);
            }
        }
    }

    private void AddDirectory(string name, string path, FileStatus status)
        => _files.Add(new LayerFile(name, path, LayerFileKind.Directory) { Metadata = ToMetadata(status) });

    private void AddEntry(string name, string path, FileStatus status)
    {
        var metadata = ToMetadata(status);
        switch (status.Type)
        {
            case FileType.RegularFile:
                if (status.LinkCount > 1)
                {
                    var key = (status.Inode, status.FileSystem);
                    if (!_linkedFiles.TryGetValue(key, out var names))
                    {
                        _linkedFiles[key] = names = [];
                    }

                    names.Add(_files.Count);
                }

                _files.Add(new LayerFile(name, path, LayerFileKind.File) { Metadata = metadata });
                break;
            case FileType.Symlink:
                _files.Add(new LayerFile(name, path, LayerFileKind.Symlink, new FileInfo(path).LinkTarget) { Metadata = metadata });
                break;
            case FileType.CharacterDevice or FileType.BlockDevice or FileType.Fifo:
                var kind = status.Type switch
                {
                    FileType.CharacterDevice => LayerFileKind.CharacterDevice,
                    FileType.BlockDevice => LayerFileKind.BlockDevice,
                    _ => LayerFileKind.Fifo,
                };
                _files.Add(new LayerFile(name, path, kind) { Metadata = metadata, Device = (status.DeviceMajor, status.DeviceMinor) });
                break;
            default:
                _skipped.Add(name);
                break;
        }
    }

    /// <summary>
    /// Lists the unchanged directories above each change with their owner and mode, because the layer
    /// builder would otherwise add them as root with 0755, and extracting the layer would apply that
    /// to the directory in the image. An overlay upper directory contains these directories already.
    /// </summary>
    private void AddUnchangedParents(string currentRootfs)
    {
        var listed = new HashSet<string>(_files.Where(f => f.Kind == LayerFileKind.Directory).Select(f => f.RelativePath), StringComparer.Ordinal);
        foreach (var file in _files.ToList())
        {
            string path = file.RelativePath;
            for (int slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
            {
                string parent = path[..slash];
                if (!listed.Add(parent))
                {
                    break;
                }

                string hostPath = Path.Combine(currentRootfs, parent);
                AddDirectory(parent, hostPath, LinuxCalls.GetStatus(hostPath));
            }
        }
    }

    /// <summary>
    /// Turns every changed name of a file with several hard links, but the first in ordinal order, into a
    /// hard link to that first name, which a tar reader extracts before the links. A name that did not
    /// change is not in the layer, so a file changed under one name only stays a regular file.
    /// </summary>
    private void LinkSharedFiles()
    {
        foreach (var indexes in _linkedFiles.Values.Where(i => i.Count > 1))
        {
            var ordered = indexes.OrderBy(i => _files[i].RelativePath, StringComparer.Ordinal).ToList();
            string target = _files[ordered[0]].RelativePath;
            foreach (int index in ordered.Skip(1))
            {
                _files[index] = _files[index] with { Kind = LayerFileKind.HardLink, LinkTarget = target };
            }
        }
    }

    // Without root, every file of the rootfs belongs to the calling user, because extracting could not
    // set the image's owners. That user's IDs mean nothing in the image, so the layer keeps root.
    private static LayerFileMetadata ToMetadata(FileStatus status) => new()
    {
        UserId = LinuxCalls.IsRoot ? status.UserId : null,
        GroupId = LinuxCalls.IsRoot ? status.GroupId : null,
        Mode = status.Permissions,
        ModificationTime = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(status.ModifiedSeconds, 0, MaxUstarTime)),
    };

    private static bool Differs(FileStatus before, string beforePath, FileStatus after, string afterPath)
        => before.Type != after.Type
           || before.Permissions != after.Permissions
           || before.UserId != after.UserId
           || before.GroupId != after.GroupId
           || (before.Type == FileType.RegularFile && (before.Size != after.Size || before.ModifiedSeconds != after.ModifiedSeconds || before.ModifiedNanoseconds != after.ModifiedNanoseconds))
           || (before.Type == FileType.Symlink && new FileInfo(beforePath).LinkTarget != new FileInfo(afterPath).LinkTarget)
           || (before.Type is FileType.CharacterDevice or FileType.BlockDevice && (before.DeviceMajor != after.DeviceMajor || before.DeviceMinor != after.DeviceMinor));

    private static string Join(string relative, string name) => relative.Length == 0 ? name : relative + "/" + name;
}
