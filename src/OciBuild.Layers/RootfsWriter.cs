using System.Formats.Tar;
using System.Runtime.Versioning;

namespace OciBuild.Layers;

/// <summary>
/// Applies the entries of one layer's tar stream to a rootfs directory: creates files, directories,
/// links and device nodes, removes whiteouts, and sets mode, owner and times.
/// </summary>
/// <remarks>
/// NOTE: without root, a directory that a lower layer made read-only (such as mode 0555) cannot
/// receive files from a later layer, and extraction fails with an access error.
/// </remarks>
[SupportedOSPlatform("linux")]
internal sealed class RootfsWriter
{
    // OCI image spec, layer.md: ".wh.NAME" hides NAME from lower layers, ".wh..wh..opq" hides a directory's lower contents.
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueWhiteout = ".wh..wh..opq";

    private readonly RootfsPaths _paths;
    private readonly bool _isRoot;
    private readonly WrittenPaths _written = new();

    // Directory mode and times are set at the end, so that a read-only mode does not block writing
    // the directory's children and adding children does not change its modification time.
    private readonly Dictionary<string, TarEntry> _directories = new(StringComparer.Ordinal);

    /// <param name="root">The rootfs directory, as a full path.</param>
    /// <param name="layerName">A name for the layer in error messages.</param>
    /// <param name="isRoot">Whether to set owners and create device nodes, which only root can do.</param>
    public RootfsWriter(string root, string layerName, bool isRoot)
    {
        _paths = new RootfsPaths(root, layerName);
        _isRoot = isRoot;
    }

    public async Task ApplyAsync(TarEntry entry, CancellationToken cancellationToken)
    {
        if (entry.EntryType == TarEntryType.GlobalExtendedAttributes)
        {
            return;
        }

        string entryName = entry.Name;
        RejectSparse(entry);
        var components = _paths.Split(entryName, entryName);
        if (components.Count == 0)
        {
            if (entry.EntryType != TarEntryType.Directory)
            {
                throw _paths.Invalid(entryName, $"it names the root directory but is a {entry.EntryType} entry");
            }

            _directories[_paths.Root] = entry;
            return;
        }

        if (components.Take(components.Count - 1).Any(c => c.StartsWith(WhiteoutPrefix, StringComparison.Ordinal)))
        {
            throw _paths.Invalid(entryName, $"only the last path component may be a whiteout ({WhiteoutPrefix}NAME)");
        }

        string name = components[^1];
        if (name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            ApplyWhiteout(components, entryName);
            return;
        }

        var parent = _paths.ResolveDirectory(components[..^1], create: true, entryName)!;
        var resolved = new List<string>(parent) { name };
        string path = _paths.ToHostPath(resolved);

        await CreateAsync(entry, path, cancellationToken).ConfigureAwait(false);
        _written.Add(resolved);
    }

    /// <summary>Sets the deferred directory metadata, deepest directories first.</summary>
    public void Finish()
    {
        foreach (var (path, entry) in _directories.OrderByDescending(d => d.Key.Length))
        {
            if (RootfsPaths.GetKind(path) == PathKind.Directory)
            {
                SetMetadata(path, entry, isSymlink: false);
            }
        }
    }

    private async Task CreateAsync(TarEntry entry, string path, CancellationToken cancellationToken)
    {
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                // A directory entry over an existing directory keeps its contents. Over anything else it replaces the old path.
                if (RootfsPaths.GetKind(path) != PathKind.Directory)
                {
                    Remove(path);
                    Directory.CreateDirectory(path);
                }

                _directories[path] = entry;
                break;

            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                Remove(path);

                // CreateNew fails rather than write through anything that appeared at the path since Remove.
                var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.Asynchronous);
                await using (file.ConfigureAwait(false))
                {
                    if (entry.DataStream is { } data)
                    {
                        await data.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                    }
                }

                SetMetadata(path, entry, isSymlink: false);
                break;

            case TarEntryType.SymbolicLink:
                if (string.IsNullOrEmpty(entry.LinkName))
                {
                    throw _paths.Invalid(entry.Name, "the symlink has an empty target");
                }

                Remove(path);
                File.CreateSymbolicLink(path, entry.LinkName);
                SetMetadata(path, entry, isSymlink: true);
                break;

            case TarEntryType.HardLink:
                CreateHardLink(entry, path);
                break;

            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                CreateNode(entry, path);
                break;

            default:
                throw _paths.Unsupported(entry.Name, $"its tar type {entry.EntryType} ('{(char)entry.EntryType}') is not supported");
        }
    }

    // System.Formats.Tar does not expand sparse files: a GNU 'S' entry or a PAX entry with GNU.sparse
    // records would come out as its sparse map and data blocks, not as the file, so it is rejected.
    private void RejectSparse(TarEntry entry)
    {
        bool paxSparse = entry is PaxTarEntry pax && pax.ExtendedAttributes.Keys.Any(k => k.StartsWith("GNU.sparse.", StringComparison.Ordinal));
        if (entry.EntryType == TarEntryType.SparseFile || paxSparse)
        {
            throw _paths.Unsupported(entry.Name, "it is a GNU sparse file, and sparse files are not supported. Rebuild the layer without --sparse");
        }
    }

    private void CreateHardLink(TarEntry entry, string path)
    {
        var target = _paths.Split(entry.LinkName, entry.Name);
        if (target.Count == 0)
        {
            throw _paths.Invalid(entry.Name, "the hard link points at the root directory");
        }

        var targetParent = _paths.ResolveDirectory(target[..^1], create: false, entry.Name);
        string targetPath = targetParent is null ? "" : _paths.ToHostPath([.. targetParent, target[^1]]);
        var kind = targetParent is null ? PathKind.Missing : RootfsPaths.GetKind(targetPath);
        if (kind is PathKind.Missing or PathKind.Directory)
        {
            string problem = kind == PathKind.Missing ? "does not exist in the rootfs" : "is a directory";
            throw _paths.Invalid(entry.Name, $"the hard link target \"{entry.LinkName}\" {problem}");
        }

        if (targetPath == path)
        {
            return;
        }

        Remove(path);
        LibC.CreateHardLink(targetPath, path);
    }

    private void CreateNode(TarEntry entry, string path)
    {
        if (!_isRoot)
        {
            throw _paths.Unsupported(entry.Name, $"it is a {entry.EntryType} entry, and only root can create device nodes and FIFOs. Extract the layer as root");
        }

        uint fileType = entry.EntryType switch
        {
            TarEntryType.CharacterDevice => LibC.FileTypeCharacterDevice,
            TarEntryType.BlockDevice => LibC.FileTypeBlockDevice,
            _ => LibC.FileTypeFifo,
        };
        var device = entry as PosixTarEntry;

        Remove(path);
        LibC.CreateNode(path, fileType, entry.Mode, device?.DeviceMajor ?? 0, device?.DeviceMinor ?? 0);
        SetMetadata(path, entry, isSymlink: false);
    }

    private void ApplyWhiteout(List<string> components, string entryName)
    {
        string name = components[^1];
        string hidden = name[WhiteoutPrefix.Length..];
        if (hidden is "" or "." or "..")
        {
            throw _paths.Invalid(entryName, $"\"{name}\" is not a whiteout of a file name");
        }

        var parent = _paths.ResolveDirectory(components[..^1], create: false, entryName);
        if (parent is null)
        {
            return;
        }

        if (name == OpaqueWhiteout)
        {
            RemoveLowerContents(parent);
            return;
        }

        // A whiteout hides only lower layers' files, so what this layer wrote stays.
        var resolved = new List<string>(parent) { hidden };
        if (!_written.Contains(resolved))
        {
            Remove(_paths.ToHostPath(resolved));
        }
    }

    private void RemoveLowerContents(List<string> directory)
    {
        string path = _paths.ToHostPath(directory);
        foreach (string child in Directory.EnumerateFileSystemEntries(path).ToList())
        {
            var resolved = new List<string>(directory) { Path.GetFileName(child) };
            if (!_written.Contains(resolved))
            {
                Remove(child);
            }
            else if (RootfsPaths.GetKind(child) == PathKind.Directory)
            {
                RemoveLowerContents(resolved);
            }
        }
    }

    // Removes the path itself: a symlink is unlinked, never followed, and Directory.Delete does not
    // descend into symlinks to directories (a test checks both).
    private static void Remove(string path)
    {
        switch (RootfsPaths.GetKind(path))
        {
            case PathKind.Directory:
                Directory.Delete(path, recursive: true);
                break;

            case PathKind.Symlink or PathKind.Other:
                File.Delete(path);
                break;
        }
    }

    private void SetMetadata(string path, TarEntry entry, bool isSymlink)
    {
        // chown clears setuid and setgid bits, so the owner is set before the mode.
        if (_isRoot)
        {
            LibC.ChangeOwner(path, entry.Uid, entry.Gid);
        }

        // Linux ignores a symlink's own mode.
        if (!isSymlink)
        {
            File.SetUnixFileMode(path, entry.Mode);
        }

        LibC.SetTimes(path, entry.ModificationTime);
    }
}
