using OciBuild.Core.Errors;

namespace OciBuild.Layers;

/// <summary>One tar entry that <see cref="LayerBuilder"/> writes: a path inside the archive and where it comes from.</summary>
/// <param name="ArchiveName">Path in the archive without a leading or trailing slash, such as <c>app/lib/a.dll</c>.</param>
/// <param name="File">The caller's file, or null for a directory the builder adds on the way to a file.</param>
internal sealed record PlannedEntry(string ArchiveName, LayerFileKind Kind, LayerFile? File);

/// <summary>Checks the caller's files and puts them, with their parent directories, into archive order.</summary>
internal static class LayerEntryPlan
{
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
        }

        string destinationPrefix = string.Join('/', destination);
        var ordered = new List<PlannedEntry>(destination.Count + byRelativePath.Count);
        for (int i = 1; i <= destination.Count; i++)
        {
            ordered.Add(new PlannedEntry(string.Join('/', destination.Take(i)), LayerFileKind.Directory, File: null));
        }

        foreach (var entry in byRelativePath.Values.OrderBy(e => e.ArchiveName, StringComparer.Ordinal))
        {
            string archiveName = destinationPrefix.Length == 0 ? entry.ArchiveName : destinationPrefix + "/" + entry.ArchiveName;
            ordered.Add(entry with { ArchiveName = archiveName });
        }

        return ordered;
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

        if (file.Kind == LayerFileKind.File && string.IsNullOrEmpty(file.SourcePath))
        {
            throw Invalid(file, "a file needs a SourcePath to read its content from");
        }

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

    private static OciException Invalid(LayerFile file, string reason)
        => new(ErrorCodes.InvalidArgument, $"invalid layer file \"{file.RelativePath}\" (from {file.SourcePath}): {reason}");
}
