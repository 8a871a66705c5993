using OciBuild.Core.Errors;

namespace OciBuild.Layers;

/// <summary>What a path on disk is, seen without following a symlink at its last component.</summary>
internal enum PathKind
{
    Missing,
    Directory,
    Symlink,
    Other,
}

/// <summary>
/// Maps paths inside a layer to paths on disk under a root directory, as if the root were <c>/</c>.
/// </summary>
/// <remarks>
/// Symlinks already in the rootfs are followed by reading their target and walking it again inside
/// the root: an absolute target starts over at the root and <c>..</c> stops at the root. The kernel
/// never follows a rootfs symlink here, so a link such as <c>lib -&gt; /usr/lib</c> leads to
/// <c>&lt;root&gt;/usr/lib</c> and not to this machine's <c>/usr/lib</c>. Every directory in a
/// resolved path has been checked to be a real directory, not a symlink.
/// NOTE: this assumes that no other process changes the rootfs during extraction. A concurrent
/// writer could swap a checked directory for a symlink before it is used.
/// </remarks>
internal sealed class RootfsPaths
{
    // Linux's MAXSYMLINKS: how many symlinks one lookup may follow before it fails with ELOOP.
    private const int MaxSymlinks = 40;

    private readonly string _layerName;

    public RootfsPaths(string root, string layerName)
    {
        Root = root;
        _layerName = layerName;
    }

    public string Root { get; }

    public static PathKind GetKind(string path)
    {
        var attributes = new FileInfo(path).Attributes;
        if ((int)attributes == -1)
        {
            return PathKind.Missing;
        }

        if (attributes.HasFlag(FileAttributes.ReparsePoint))
        {
            return PathKind.Symlink;
        }

        return attributes.HasFlag(FileAttributes.Directory) ? PathKind.Directory : PathKind.Other;
    }

    /// <summary>
    /// Splits a tar entry name or hard link target into components. A leading slash and <c>.</c> are
    /// dropped, and <c>..</c> removes the component before it. A <c>..</c> with nothing left to remove
    /// would leave the root, so it raises <see cref="ErrorCodes.LayerUnsafe"/>.
    /// </summary>
    public List<string> Split(string name, string entryName)
    {
        var components = new List<string>();
        foreach (string component in name.Split('/'))
        {
            if (component is "" or ".")
            {
                continue;
            }

            if (component == "..")
            {
                if (components.Count == 0)
                {
                    throw Unsafe(entryName, $"the path \"{name}\" climbs above the root directory with '..'");
                }

                components.RemoveAt(components.Count - 1);
                continue;
            }

            components.Add(component);
        }

        return components;
    }

    public string ToHostPath(IEnumerable<string> components) => Path.Join(Root, string.Join('/', components));

    /// <summary>
    /// Resolves <paramref name="components"/> as a directory inside the root, following symlinks as
    /// described on this class, and returns the resolved components. With <paramref name="create"/>,
    /// missing directories are made with mode 0755. Without it, null is returned when one is missing.
    /// </summary>
    public List<string>? ResolveDirectory(IReadOnlyList<string> components, bool create, string entryName)
    {
        var resolved = new List<string>();
        var pending = new Stack<string>(components.Reverse());
        int symlinksFollowed = 0;

        while (pending.TryPop(out string? component))
        {
            if (component is "" or ".")
            {
                continue;
            }

            if (component == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }

                continue;
            }

            resolved.Add(component);
            string path = ToHostPath(resolved);
            switch (GetKind(path))
            {
                case PathKind.Directory:
                    break;

                case PathKind.Missing when create:
                    Directory.CreateDirectory(path);
                    if (!OperatingSystem.IsWindows())
                    {
                        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
                    }

                    break;

                case PathKind.Missing:
                    return null;

                case PathKind.Symlink:
                    if (++symlinksFollowed > MaxSymlinks)
                    {
                        throw Invalid(entryName, $"resolving \"{string.Join('/', components)}\" followed more than {MaxSymlinks} symlinks, so the rootfs probably has a symlink loop");
                    }

                    string target = new FileInfo(path).LinkTarget ?? "";
                    resolved.RemoveAt(resolved.Count - 1);
                    if (target.StartsWith('/'))
                    {
                        resolved.Clear();
                    }

                    foreach (string part in Enumerable.Reverse(target.Split('/')))
                    {
                        pending.Push(part);
                    }

                    break;

                default:
                    throw Invalid(entryName, $"\"/{string.Join('/', resolved)}\" is needed as a directory but is another kind of file in the rootfs");
            }
        }

        return resolved;
    }

    public OciException Unsafe(string entryName, string reason)
        => new(
            ErrorCodes.LayerUnsafe,
            $"layer {_layerName}: entry \"{entryName}\" is unsafe: {reason}. Extraction stopped with the rootfs incomplete; do not run this image.");

    public OciException Invalid(string entryName, string reason)
        => new(ErrorCodes.LayerInvalid, $"layer {_layerName}: entry \"{entryName}\" is invalid: {reason}");

    public OciException Unsupported(string entryName, string reason)
        => new(ErrorCodes.LayerUnsupported, $"layer {_layerName}: entry \"{entryName}\" cannot be extracted: {reason}");
}
