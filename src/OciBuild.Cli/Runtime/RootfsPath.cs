namespace OciBuild.Cli.Runtime;

/// <summary>
/// Maps paths inside a container to paths under its rootfs on the host. Symbolic links are
/// followed as the container would see them, so an absolute link such as <c>/etc/passwd -&gt;
/// /etc/shadow</c> stays inside the rootfs instead of reaching the host's file.
/// </summary>
internal static class RootfsPath
{
    /// <summary>Links followed before giving up, the same limit as Linux's MAXSYMLINKS.</summary>
    private const int MaxSymbolicLinks = 40;

    /// <summary>
    /// Returns the host path of <paramref name="containerPath"/> under <paramref name="rootfsPath"/>.
    /// The path need not exist. Raises <see cref="IOException"/> for a symbolic link loop.
    /// </summary>
    public static string Resolve(string rootfsPath, string containerPath)
    {
        string root = Path.GetFullPath(rootfsPath);
        var resolved = new List<string>();
        var pending = new LinkedList<string>(Split(containerPath));
        int linksFollowed = 0;

        while (pending.First is { } node)
        {
            string component = node.Value;
            pending.RemoveFirst();

            if (component == "..")
            {
                // ".." at the container's root stays at the root, as it does after chroot.
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }

                continue;
            }

            string candidate = Join(root, resolved, component);
            string? linkTarget = new FileInfo(candidate).LinkTarget;
            if (linkTarget is null)
            {
                resolved.Add(component);
                continue;
            }

            if (++linksFollowed > MaxSymbolicLinks)
            {
                throw new IOException($"too many levels of symbolic links resolving {containerPath} in {root}");
            }

            if (linkTarget.StartsWith('/'))
            {
                resolved.Clear();
            }

            // The link's own components are resolved before the rest of the original path.
            foreach (string part in Split(linkTarget).Reverse())
            {
                pending.AddFirst(part);
            }
        }

        return Join(root, resolved, null);
    }

    private static IEnumerable<string> Split(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(part => part != ".");

    private static string Join(string root, List<string> components, string? last)
    {
        IEnumerable<string> all = last is null ? components : components.Append(last);
        string relative = string.Join('/', all);
        return relative.Length == 0 ? root : Path.Join(root, relative);
    }
}
