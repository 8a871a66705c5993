namespace OciBuild.Layers;

/// <summary>Collects the <see cref="LayerFile"/> lists that <see cref="LayerBuilder"/> takes.</summary>
public static class LayerFileSet
{
    private static readonly EnumerationOptions SingleLevel = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = false,
        AttributesToSkip = 0,
        ReturnSpecialDirectories = false,
    };

    /// <summary>
    /// Lists every directory, file and symlink under <paramref name="sourceDirectory"/>, sorted by
    /// ordinal <see cref="LayerFile.RelativePath"/>. Symlinks are listed as links and never followed,
    /// so a link to a directory outside the folder does not pull that directory in. Hidden files are included.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException"><paramref name="sourceDirectory"/> does not exist.</exception>
    public static IReadOnlyList<LayerFile> FromDirectory(string sourceDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourceDirectory);

        var root = new DirectoryInfo(Path.GetFullPath(sourceDirectory));
        if (!root.Exists)
        {
            throw new DirectoryNotFoundException($"cannot list the layer's files: directory {root.FullName} does not exist");
        }

        var files = new List<LayerFile>();
        AddChildren(root, root.FullName, files);
        files.Sort((a, b) => string.CompareOrdinal(a.RelativePath, b.RelativePath));
        return files;
    }

    // Recursion is done here, not with RecurseSubdirectories, because only here can each entry be
    // checked for being a symlink before descending into it.
    private static void AddChildren(DirectoryInfo directory, string rootPath, List<LayerFile> files)
    {
        foreach (var entry in directory.EnumerateFileSystemInfos("*", SingleLevel))
        {
            string relativePath = Path.GetRelativePath(rootPath, entry.FullName).Replace(Path.DirectorySeparatorChar, '/');

            if (entry.LinkTarget is { } linkTarget)
            {
                files.Add(new LayerFile(relativePath, entry.FullName, LayerFileKind.Symlink, linkTarget));
            }
            else if (entry is DirectoryInfo subdirectory)
            {
                files.Add(new LayerFile(relativePath, entry.FullName, LayerFileKind.Directory));
                AddChildren(subdirectory, rootPath, files);
            }
            else
            {
                // NOTE: sockets, FIFOs and device nodes also land here, because .NET reports them as
                // ordinary files. Reading a FIFO blocks, so a source folder must not contain one.
                files.Add(new LayerFile(relativePath, entry.FullName, LayerFileKind.File));
            }
        }
    }
}
