using System.Runtime.Versioning;
using OciBuild.Storage.Linux;

namespace OciBuild.Storage;

/// <summary>Mounts and unmounts the overlayfs rootfs of a working container.</summary>
[SupportedOSPlatform("linux")]
public static class OverlayMount
{
    // mount(2) copies at most one page of option text, and x86-64 Linux pages are 4096 bytes.
    // NOTE: arm64 kernels with 16 or 64 KiB pages accept more, which this limit does not use.
    private const int MaxOptionsLength = 4095;

    /// <summary>
    /// Returns the overlay mount options for <paramref name="lowerDirectories"/> (bottom first), or null
    /// when they cannot be expressed: a path contains ':', ',' or '\', or the text exceeds one page.
    /// </summary>
    public static string? BuildOptions(IReadOnlyList<string> lowerDirectories, string upperDirectory, string workDirectory)
    {
        var paths = lowerDirectories.Append(upperDirectory).Append(workDirectory).Select(Path.GetFullPath).ToList();
        if (paths.Any(p => p.IndexOfAny([':', ',', '\\']) >= 0))
        {
            return null;
        }

        // overlayfs lists lower directories top first.
        string lower = string.Join(':', lowerDirectories.Reverse().Select(Path.GetFullPath));
        // redirect_dir and metacopy stay off: with them, a renamed directory or a chown'ed file in the upper
        // directory would only point at lower content, and a commit reads the changes from the upper directory alone.
        string options = $"lowerdir={lower},upperdir={Path.GetFullPath(upperDirectory)},workdir={Path.GetFullPath(workDirectory)},redirect_dir=off,metacopy=off";

        // TODO: an image with very many layers, or a store at a long path, exceeds the page. Such a
        // container gets a copied rootfs, and short symlinks to the lower directories would avoid that.
        return options.Length > MaxOptionsLength ? null : options;
    }

    /// <summary>Mounts the overlay at <paramref name="target"/>. Returns 0, or the errno of a failed mount.</summary>
    public static int TryMount(string target, string options) => LinuxCalls.TryMountOverlay(target, options);

    public static bool IsMounted(string target) => LinuxCalls.IsMountPoint(target);

    /// <summary>Detaches the mount; a running container keeps its own reference until it ends.</summary>
    public static void Unmount(string target) => LinuxCalls.Unmount(target);
}
