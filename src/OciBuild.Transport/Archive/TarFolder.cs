using System.Formats.Tar;
using OciBuild.Core.Errors;

namespace OciBuild.Transport.Archive;

/// <summary>Packs a folder's files into a tar and unpacks the regular files of a tar into a folder.</summary>
internal static class TarFolder
{
    /// <summary>Fixed modification time of every entry, so that equal folders give equal archives.</summary>
    private static readonly DateTimeOffset EntryTime = DateTimeOffset.UnixEpoch;

    /// <summary>
    /// Writes the files under <paramref name="folder"/> (sorted, owned by root, mode 0644) to a
    /// temporary file beside <paramref name="archivePath"/>, then renames it over that path.
    /// </summary>
    public static async Task WriteAsync(string folder, string archivePath, CancellationToken cancellationToken)
    {
        string? parent = Path.GetDirectoryName(Path.GetFullPath(archivePath));
        if (parent is not null)
        {
            Directory.CreateDirectory(parent);
        }

        string temporary = $"{archivePath}.tmp-{Guid.NewGuid():N}";
        try
        {
            await using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            await using (var writer = new TarWriter(output, TarEntryFormat.Ustar, leaveOpen: true))
            {
                var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                    .Select(f => Path.GetRelativePath(folder, f).Replace(Path.DirectorySeparatorChar, '/'))
                    .Order(StringComparer.Ordinal)
                    .ToList();
                foreach (string directory in files.SelectMany(ParentFolders).Distinct().Order(StringComparer.Ordinal))
                {
                    await writer.WriteEntryAsync(NewEntry(TarEntryType.Directory, directory + "/", null), cancellationToken).ConfigureAwait(false);
                }

                foreach (string name in files)
                {
                    await using var content = File.OpenRead(Path.Combine(folder, name));
                    await writer.WriteEntryAsync(NewEntry(TarEntryType.RegularFile, name, content), cancellationToken).ConfigureAwait(false);
                }
            }

            File.Move(temporary, archivePath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// Unpacks <paramref name="archivePath"/> into <paramref name="folder"/>. Only regular files,
    /// folders and symbolic links to files inside the archive are unpacked (a link becomes a copy,
    /// as older <c>docker save</c> links repeated layers); an entry that names a path outside the folder is rejected.
    /// </summary>
    public static async Task ExtractAsync(string archivePath, string folder, CancellationToken cancellationToken)
    {
        if (!File.Exists(archivePath))
        {
            throw new OciException(ErrorCodes.InvalidImageLayout, $"the archive {archivePath} does not exist");
        }

        var links = new List<(string Link, string Target)>();
        await using var input = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        try
        {
            await using var reader = new TarReader(input);
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
            {
                string path = ResolveInside(folder, entry.Name, archivePath);
                switch (entry.EntryType)
                {
                    case TarEntryType.Directory:
                        Directory.CreateDirectory(path);
                        break;
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                        await using (var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                        {
                            if (entry.DataStream is not null)
                            {
                                await entry.DataStream.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                            }
                        }

                        break;
                    case TarEntryType.SymbolicLink:
                        string target = entry.LinkName.StartsWith('/') ? entry.LinkName : Path.Combine(Path.GetDirectoryName(entry.Name) ?? "", entry.LinkName);
                        links.Add((path, ResolveInside(folder, target, archivePath)));
                        break;
                    case TarEntryType.HardLink:
                        links.Add((path, ResolveInside(folder, entry.LinkName, archivePath)));
                        break;
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new OciException(ErrorCodes.InvalidImageLayout, $"{archivePath} is not a valid tar archive ({e.Message.TrimEnd('.')}); it may be cut short or not a tar at all, so write or copy it again", e);
        }

        foreach (var (link, target) in links)
        {
            if (!File.Exists(target))
            {
                throw new OciException(ErrorCodes.InvalidImageLayout, $"{archivePath}: the link {Path.GetRelativePath(folder, link)} points to a file the archive does not contain");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            File.Copy(target, link, overwrite: true);
        }
    }

    private static string ResolveInside(string folder, string name, string archivePath)
    {
        string root = Path.GetFullPath(folder);
        string path = Path.GetFullPath(Path.Combine(root, name.TrimStart('/')));
        if (path != root && !path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new OciException(ErrorCodes.LayerUnsafe, $"{archivePath}: the entry {name} points outside the archive");
        }

        return path;
    }

    private static IEnumerable<string> ParentFolders(string name)
    {
        for (int slash = name.IndexOf('/'); slash >= 0; slash = name.IndexOf('/', slash + 1))
        {
            yield return name[..slash];
        }
    }

    private static UstarTarEntry NewEntry(TarEntryType type, string name, Stream? content)
    {
        var entry = new UstarTarEntry(type, name)
        {
            ModificationTime = EntryTime,
            Mode = type == TarEntryType.Directory
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            Uid = 0,
            Gid = 0,
            UserName = "root",
            GroupName = "root",
        };
        if (content is not null)
        {
            entry.DataStream = content;
        }

        return entry;
    }
}
