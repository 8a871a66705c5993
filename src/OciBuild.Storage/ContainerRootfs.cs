using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using OciBuild.Core.Errors;
using OciBuild.Storage.Linux;

namespace OciBuild.Storage;

/// <summary>
/// Makes and mounts the rootfs of working containers. An overlay rootfs is mounted on demand: each
/// verb that needs the files (run, copy, add) mounts it when it is not mounted yet and unmounts it
/// when done, and only <c>ocibuild mount</c> leaves it mounted, until <c>umount</c> or <c>rm</c>.
/// Commit reads the upper directory and needs no mount. Mounts do not survive a reboot and would
/// block deleting a store folder, so the store never depends on one staying in place.
/// </summary>
[SupportedOSPlatform("linux")]
public static class ContainerRootfs
{
    public static string GetUpperDirectory(LocalImageStore store, string containerId) => Path.Combine(store.GetContainerDirectory(containerId), "upper");

    public static string GetWorkDirectory(LocalImageStore store, string containerId) => Path.Combine(store.GetContainerDirectory(containerId), "work");

    /// <summary>
    /// Creates the rootfs of a new container over cached layers (bottom first): an overlay when this
    /// process is root and a trial mount succeeds, else a copy of the layers. Returns which one it made.
    /// <paramref name="required"/> picks one kind instead: <see cref="RootfsKind.Copy"/> never tries
    /// overlayfs, and <see cref="RootfsKind.Overlay"/> raises OCIB5110 when the trial mount fails.
    /// </summary>
    public static RootfsKind Create(LocalImageStore store, string containerId, IReadOnlyList<string> layerDirectories, RootfsKind? required = null)
    {
        string rootfs = store.GetContainerRootfs(containerId);
        Directory.CreateDirectory(rootfs);
        if (LinuxCalls.IsRoot && required != RootfsKind.Copy)
        {
            string upper = Directory.CreateDirectory(GetUpperDirectory(store, containerId)).FullName;
            string work = Directory.CreateDirectory(GetWorkDirectory(store, containerId)).FullName;
            string? options = OverlayMount.BuildOptions(GetLowerDirectories(store, containerId, layerDirectories), upper, work);
            if (options is not null && OverlayMount.TryMount(rootfs, options) == 0)
            {
                OverlayMount.Unmount(rootfs);
                return RootfsKind.Overlay;
            }

            Directory.Delete(upper, recursive: true);
            FileTree.Delete(work);
        }

        if (required == RootfsKind.Overlay)
        {
            throw OverlayUnavailable(rootfs, LinuxCalls.IsRoot ? "the trial overlay mount failed" : "only root can mount overlayfs");
        }

        LayerMerge.Apply(layerDirectories, rootfs);
        return RootfsKind.Copy;
    }

    /// <summary>
    /// Mounts an overlay rootfs that is not mounted yet. Returns a handle whose disposal unmounts it
    /// again only when this call mounted it; a copied rootfs needs no mount.
    /// </summary>
    public static MountedRootfs Use(LocalImageStore store, ContainerRecord container)
        => new(store.GetContainerRootfs(container.Id), Mount(store, container));

    /// <summary>Mounts an overlay rootfs unless it is mounted. Returns true when this call mounted it.</summary>
    public static bool Mount(LocalImageStore store, ContainerRecord container)
    {
        string rootfs = store.GetContainerRootfs(container.Id);
        if (container.RootfsKind != RootfsKind.Overlay || OverlayMount.IsMounted(rootfs))
        {
            return false;
        }

        var layers = container.Layers.Select(store.Layers.GetPath).ToList();
        string? options = OverlayMount.BuildOptions(
            GetLowerDirectories(store, container.Id, layers), GetUpperDirectory(store, container.Id), GetWorkDirectory(store, container.Id));
        int errno = options is null ? 0 : OverlayMount.TryMount(rootfs, options);
        if (options is null || errno != 0)
        {
            string reason = options is null ? "the layer paths do not fit in mount options" : $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
            throw new OciException(ErrorCodes.RootfsMountFailed, $"mounting the overlay rootfs of container {container.Name} at {rootfs} failed: {reason}; run as root on a kernel with overlayfs");
        }

        return true;
    }

    /// <summary>Tells whether an overlay rootfs is mounted now; a copied rootfs counts as never mounted.</summary>
    public static bool IsMounted(LocalImageStore store, ContainerRecord container)
        => container.RootfsKind == RootfsKind.Overlay && OverlayMount.IsMounted(store.GetContainerRootfs(container.Id));

    /// <summary>Unmounts an overlay rootfs if it is mounted; does nothing for a copied rootfs.</summary>
    public static void Unmount(LocalImageStore store, ContainerRecord container)
    {
        string rootfs = store.GetContainerRootfs(container.Id);
        if (container.RootfsKind == RootfsKind.Overlay && OverlayMount.IsMounted(rootfs))
        {
            OverlayMount.Unmount(rootfs);
        }
    }

    /// <summary>Returns the error for a request for an overlay rootfs where none can be made.</summary>
    public static OciException OverlayUnavailable(string rootfs, string reason)
        => new(ErrorCodes.OverlayUnavailable, $"the overlay storage driver was requested for {rootfs}, but {reason}. Run as root on a kernel with overlayfs, or use --storage-driver vfs to copy the layers");

    // overlayfs needs at least one lower directory, so an image without layers gets an empty one.
    private static IReadOnlyList<string> GetLowerDirectories(LocalImageStore store, string containerId, IReadOnlyList<string> layers)
        => layers.Count > 0 ? layers : [Directory.CreateDirectory(Path.Combine(store.GetContainerDirectory(containerId), "empty-lower")).FullName];
}

/// <summary>A container rootfs made available by <see cref="ContainerRootfs.Use"/>.</summary>
[SupportedOSPlatform("linux")]
public sealed class MountedRootfs : IDisposable
{
    private readonly bool _unmountOnDispose;

    internal MountedRootfs(string path, bool unmountOnDispose)
    {
        Path = path;
        _unmountOnDispose = unmountOnDispose;
    }

    /// <summary>The rootfs folder on the host.</summary>
    public string Path { get; }

    public void Dispose()
    {
        if (_unmountOnDispose && OverlayMount.IsMounted(Path))
        {
            OverlayMount.Unmount(Path);
        }
    }
}
