using System.Runtime.Versioning;
using OciBuild.Storage.Linux;

namespace OciBuild.Storage;

/// <summary>
/// Copies layer cache entries onto a folder, bottom layer first, the way overlayfs would show them:
/// an overlay whiteout deletes the path below it and an opaque directory replaces the lower
/// directory's contents. Modes, owners, times, symlinks, device nodes and FIFOs are kept.
/// </summary>
/// <remarks>
/// NOTE: hard links become separate copies, because a cache entry does not record which of its
/// files were linked in the layer.
/// </remarks>
[SupportedOSPlatform("linux")]
public static class LayerMerge
{
    /// <summary>Applies each of <paramref name="layerDirectories"/> (bottom first) onto <paramref name="target"/>.</summary>
    public static void Apply(IEnumerable<string> layerDirectories, string target)
    {
        Directory.CreateDirectory(target);
        foreach (string layer in layerDirectories)
        {
            ApplyDirectory(layer, target);
            CopyMetadata(LinuxCalls.GetStatus(layer), target);
        }
    }

    private static void ApplyDirectory(string source, string target)
    {
        foreach (string sourcePath in Directory.EnumerateFileSystemEntries(source))
        {
            string targetPath = Path.Combine(target, Path.GetFileName(sourcePath));
            var status = LinuxCalls.GetStatus(sourcePath);
            if (status.IsOverlayWhiteout)
            {
                RemovePath(targetPath);
                continue;
            }

            if (status.Type == FileType.Directory)
            {
                var existing = LinuxCalls.TryGetStatus(targetPath);
                bool opaque = LinuxCalls.GetAttribute(sourcePath, LayerCache.OpaqueAttribute) == "y";
                if (existing?.Type != FileType.Directory || opaque)
                {
                    RemovePath(targetPath);
                    Directory.CreateDirectory(targetPath);
                }

                ApplyDirectory(sourcePath, targetPath);

                // Set after the children, so that adding them neither fails on a read-only mode nor changes the time.
                CopyMetadata(status, targetPath);
                continue;
            }

            RemovePath(targetPath);
            CopyEntry(sourcePath, status, targetPath);
        }
    }

    /// <summary>Copies one non-directory entry and its metadata.</summary>
    internal static void CopyEntry(string sourcePath, FileStatus status, string targetPath)
    {
        switch (status.Type)
        {
            case FileType.RegularFile:
                File.Copy(sourcePath, targetPath);
                break;
            case FileType.Symlink:
                File.CreateSymbolicLink(targetPath, new FileInfo(sourcePath).LinkTarget!);
                break;
            default:
                LinuxCalls.CreateNode(targetPath, status.Type, status.Permissions, status.DeviceMajor, status.DeviceMinor);
                break;
        }

        CopyMetadata(status, targetPath);
    }

    /// <summary>Removes whatever is at <paramref name="path"/>, never following a symlink.</summary>
    internal static void RemovePath(string path)
    {
        switch (LinuxCalls.TryGetStatus(path)?.Type)
        {
            case null:
                return;
            case FileType.Directory:
                FileTree.Delete(path);
                break;
            default:
                File.Delete(path);
                break;
        }
    }

    private static void CopyMetadata(FileStatus status, string path)
    {
        // chown clears setuid and setgid bits, so the owner is set before the mode; Linux ignores a symlink's mode.
        if (LinuxCalls.IsRoot)
        {
            LinuxCalls.ChangeOwner(path, status.UserId, status.GroupId);
        }

        if (status.Type != FileType.Symlink)
        {
            File.SetUnixFileMode(path, status.Permissions);
        }

        LinuxCalls.SetTimes(path, status.ModifiedSeconds, status.ModifiedNanoseconds);
    }
}
