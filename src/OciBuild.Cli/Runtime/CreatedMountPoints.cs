namespace OciBuild.Cli.Runtime;

/// <summary>
/// The mount points that runc will have to create in a rootfs, recorded before a run so they can be
/// removed after it. runc creates every missing mount destination (and its missing parents) in the
/// rootfs, so without this a run on a minimal rootfs would leave empty <c>/proc</c>, <c>/etc/hosts</c>
/// or bind-mount directories behind, and they would end up in the next layer built from it.
/// </summary>
internal sealed class CreatedMountPoints
{
    private readonly string rootfsPath;
    private readonly List<string> containerPaths;

    private CreatedMountPoints(string rootfsPath, List<string> containerPaths)
    {
        this.rootfsPath = rootfsPath;
        this.containerPaths = containerPaths;
    }

    /// <summary>The container paths that do not exist yet, parents before children.</summary>
    public IReadOnlyList<string> ContainerPaths => containerPaths;

    /// <summary>Records which of <paramref name="destinations"/> and their parents are missing from the rootfs.</summary>
    public static CreatedMountPoints Record(string rootfsPath, IEnumerable<string> destinations)
    {
        var missing = new List<string>();
        foreach (string destination in destinations)
        {
            string prefix = "";
            foreach (string component in destination.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                prefix += "/" + component;
                string hostPath = RootfsPath.Resolve(rootfsPath, prefix);
                bool exists = File.Exists(hostPath) || Directory.Exists(hostPath);
                if (!exists && !missing.Contains(prefix))
                {
                    missing.Add(prefix);
                }
            }
        }

        return new CreatedMountPoints(rootfsPath, missing);
    }

    /// <summary>
    /// Removes the recorded paths that are still empty: directories with no entries and empty regular
    /// files. Anything the container wrote there is kept. Failures go to <paramref name="debugLog"/>
    /// because a leftover empty mount point does no harm to the run that just finished.
    /// </summary>
    public void RemoveEmpty(Action<string>? debugLog)
    {
        foreach (string containerPath in containerPaths.OrderByDescending(path => path.Count(c => c == '/')))
        {
            try
            {
                string hostPath = RootfsPath.Resolve(rootfsPath, containerPath);
                var info = new FileInfo(hostPath);
                if (info.Exists && info.LinkTarget is null && info.Length == 0)
                {
                    info.Delete();
                }
                else if (Directory.Exists(hostPath) && !Directory.EnumerateFileSystemEntries(hostPath).Any())
                {
                    Directory.Delete(hostPath);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                debugLog?.Invoke($"could not remove the mount point {containerPath} that runc created in {rootfsPath}: {e.Message}");
            }
        }
    }
}
