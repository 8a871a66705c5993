using OciBuild.Core.Errors;

namespace OciBuild.Layers;

/// <summary>One tar entry that <see cref="LayerBuilder"/> writes: a path inside the archive and where it comes from.</summary>
/// <param name="ArchiveName">Path in the archive without a leading or trailing slash, such as <c>app/lib/a.dll</c>.</param>
/// <param name="File">The caller's file, or null for a directory the builder adds on the way to a file.</param>
/// <param name="HardLinkName">For a <see cref="LayerFileKind.HardLink"/>, the archive path of its target; null otherwise.</param>
internal sealed record PlannedEntry(string ArchiveName, LayerFileKind Kind, LayerFile? File, string? HardLinkName = null);

/// <summary>Checks the caller's files and puts them, with their parent directories, into archive order.</summary>
internal static class LayerEntryPlan
{
    // devmajor and devminor are 7 octal digits in a ustar header.
    private const int MaxDeviceNumber = 0x1F_FFFF;

    /// <summary>
    /// Returns the directories that lead to the destination, then every file and every missing parent
    /// directory in ordinal order of archive path. Parents are added so that a runtime extracting the
    /// layer does not invent their mode and owner. A parent always sorts before its children.
    /// </summary>
    public static List<PlannedEntry> Create(IEnumerable<LayerFile> files, IReadOnlyList<string> destination)
    {
        var byRelativePath = new Dictionary<string, PlannedEntry>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            string relativePath = ToArchivePath(file, Normalize(file));
            if (!byRelativePath.TryAdd(relativePath, new PlannedEntry(relativePath, file.Kind, file)))
            {
                throw Invalid(file, "another layer file has the same path");
            }
        }

        foreach (var entry in byRelativePath.Values.ToList())
        {
            AddParents(entry, byRelativePath);
            CheckHardLinkTarget(entry, byRelativePath);
        }

        string destinationPrefix = string.Join('/', destination);
        var ordered = new List<PlannedEntry>(destination.Count + byRelativePath.Count);
        for (int i = 1; i <= destination.Count; i++)
        {
            ordered.Add(new PlannedEntry(string.Join('/', destination.Take(i)), LayerFileKind.Directory, File: null));
        }

        foreach (var entry in byRelativePath.Values.OrderBy(e => e.ArchiveName, StringComparer.Ordinal))
        {
            ordered.Add(entry with
            {
                ArchiveName = Prefix(destinationPrefix, entry.ArchiveName),
                HardLinkName = entry.Kind == LayerFileKind.HardLink ? Prefix(destinationPrefix, entry.File!.LinkTarget!) : null,
            });
        }

        return ordered;
    }

    private static string Prefix(string destinationPrefix, string path) => destinationPrefix.Length == 0 ? path : destinationPrefix + "/" + path;

    // A tar reader creates a hard link from the entry it has already extracted, so the target must be a
    // regular file of this layer that comes earlier in ordinal order.
    private static void CheckHardLinkTarget(PlannedEntry entry, Dictionary<string, PlannedEntry> byRelativePath)
    {
        if (entry.Kind != LayerFileKind.HardLink)
        {
            return;
        }

        string target = entry.File!.LinkTarget!;
        if (!byRelativePath.TryGetValue(target, out var targetEntry) || targetEntry.Kind != LayerFileKind.File)
        {
            throw Invalid(entry.File, $"its hard link target \"{target}\" is not a regular file of the same layer");
        }

        if (string.CompareOrdinal(target, entry.ArchiveName) >= 0)
        {
            throw Invalid(entry.File, $"its hard link target \"{target}\" must sort before the link in ordinal order, so that a tar reader has extracted it first");
        }
    }

    private static void AddParents(PlannedEntry entry, Dictionary<string, PlannedEntry> byRelativePath)
    {
        string path = entry.ArchiveName;
        for (int slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
        {
            string parent = path[..slash];
            if (byRelativePath.TryGetValue(parent, out var existing))
            {
                if (existing.Kind != LayerFileKind.Directory)
                {
                    throw Invalid(entry.File!, $"its parent {parent} is a {existing.Kind.ToString().ToLowerInvariant()}, not a directory");
                }

                return;
            }

            byRelativePath.Add(parent, new PlannedEntry(parent, LayerFileKind.Directory, File: null));
        }
    }

    // OCI image spec, layer.md: ".wh.NAME" hides NAME, and ".wh..wh..opq" hides a directory's lower contents.
    private static string ToArchivePath(LayerFile file, string path)
    {
        if (file.Kind == LayerFileKind.OpaqueWhiteout)
        {
            return path + "/.wh..wh..opq";
        }

        if (file.Kind != LayerFileKind.Whiteout)
        {
            return path;
        }

        int slash = path.LastIndexOf('/');
        return slash < 0 ? ".wh." + path : $"{path[..slash]}/.wh.{path[(slash + 1)..]}";
    }

    private static string Normalize(LayerFile file)
    {
        ArgumentNullException.ThrowIfNull(file);

        if (!Enum.IsDefined(file.Kind))
        {
            throw Invalid(file, $"invalid kind {(int)file.Kind}");
        }

        if (file.Kind == LayerFileKind.Symlink && string.IsNullOrEmpty(file.LinkTarget))
        {
            throw Invalid(file, "a symlink needs a LinkTarget");
        }

        if (file.Kind == LayerFileKind.HardLink && string.IsNullOrEmpty(file.LinkTarget))
        {
            throw Invalid(file, "a hard link needs a LinkTarget: the relative path of its file");
        }

        if (file.Kind == LayerFileKind.File && string.IsNullOrEmpty(file.SourcePath))
        {
            throw Invalid(file, "a file needs a SourcePath to read its content from");
        }

        CheckMetadata(file);

        string path = file.RelativePath ?? "";
        if (file.Kind is LayerFileKind.Directory or LayerFileKind.OpaqueWhiteout && path.EndsWith('/'))
        {
            path = path[..^1];
        }

        if (path.Length == 0 || path.StartsWith('/') || path.Contains('\\') || path.Contains('\0')
            || path.Split('/').Any(c => c is "" or "." or ".."))
        {
            throw Invalid(file, "use a relative path with forward slashes, no empty, '.' or '..' components and no leading slash");
        }

        return path;
    }

    private static void CheckMetadata(LayerFile file)
    {
        if (file.Device.Major < 0 || file.Device.Minor < 0 || file.Device.Major > MaxDeviceNumber || file.Device.Minor > MaxDeviceNumber)
        {
            throw Invalid(file, $"invalid device number {file.Device.Major}:{file.Device.Minor}: use major and minor numbers from 0 to {MaxDeviceNumber}, the range of a ustar header");
        }

        if (file.Metadata is not { } metadata)
        {
            return;
        }

        if (metadata.UserId < 0 || metadata.GroupId < 0)
        {
            throw Invalid(file, $"invalid owner {metadata.UserId}:{metadata.GroupId}: user and group IDs must be 0 or greater");
        }

        if (metadata.Mode is { } mode && ((int)mode & ~0xFFF) != 0)
        {
            throw Invalid(file, $"invalid mode {Convert.ToString((int)mode, 8)}: use permission bits with setuid, setgid and sticky, at most 7777 in octal");
        }

        if (metadata.ModificationTime is { } time && (time < DateTimeOffset.UnixEpoch || time > LayerOptions.MaxModificationTime))
        {
            throw Invalid(file, $"invalid modification time {time:O}: use a time from {DateTimeOffset.UnixEpoch:O} to {LayerOptions.MaxModificationTime:O}");
        }
    }

    private static OciException Invalid(LayerFile file, string reason)
        => new(ErrorCodes.InvalidArgument, $"invalid layer file \"{file.RelativePath}\" (from {file.SourcePath}): {reason}");
}
