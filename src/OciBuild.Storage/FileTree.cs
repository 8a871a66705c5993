using System.Runtime.Versioning;
using OciBuild.Storage.Linux;

namespace OciBuild.Storage;

/// <summary>Folder trees that container rootfs and cached layers leave, which ordinary deletion can trip over.</summary>
[SupportedOSPlatform("linux")]
public static class FileTree
{
    /// <summary>
    /// Deletes a folder tree that may contain read-only directories, without following symlinks. Does
    /// nothing when <paramref name="path"/> is missing or not a directory.
    /// </summary>
    public static void Delete(string path)
    {
        if (LinuxCalls.TryGetStatus(path) is not { Type: FileType.Directory })
        {
            return;
        }

        // Root may remove entries of a read-only directory, other users may not, so owner access is restored first.
        foreach (string child in Directory.EnumerateDirectories(path, "*", SearchOption.AllDirectories))
        {
            if (LinuxCalls.TryGetStatus(child) is { Type: FileType.Directory })
            {
                File.SetUnixFileMode(child, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        Directory.Delete(path, recursive: true);
    }
}
