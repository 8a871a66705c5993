using System.Globalization;
using OciBuild.Cli.Runtime;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Layers;
using OciBuild.Storage;

namespace OciBuild.Cli;

/// <summary>
/// Copies host files into a working container's rootfs for <c>copy</c> and <c>add</c>. Every path
/// inside the container is resolved with the container's own symlinks, so a link such as
/// <c>/lib -&gt; /usr/lib</c> leads to the rootfs's folder, never to the host's.
/// </summary>
internal sealed class ContainerFileCopier
{
    private readonly string _rootfs;
    private readonly int _userId;
    private readonly int _groupId;

    /// <param name="owner">The owner of copied files as <c>UID[:GID]</c>; null for root.</param>
    public ContainerFileCopier(string rootfs, string? owner)
    {
        _rootfs = rootfs;
        (_userId, _groupId) = ParseOwner(owner);
    }

    /// <summary>
    /// Copies <paramref name="sources"/> to <paramref name="destination"/> as <c>cp -r</c> would into a
    /// directory: a source folder's contents go into the destination. The destination is a directory
    /// when it ends with '/', exists as one, or when there are several sources. With
    /// <paramref name="extractArchives"/>, a local tar archive (plain or gzip) is unpacked there instead.
    /// </summary>
    public async Task CopyAsync(IReadOnlyList<string> sources, string destination, bool extractArchives, CancellationToken cancellationToken)
    {
        string containerDestination = destination.StartsWith('/') ? destination : "/" + destination;
        string destinationHost = RootfsPath.Resolve(_rootfs, containerDestination);
        bool intoDirectory = destination.EndsWith('/') || sources.Count > 1 || Directory.Exists(destinationHost);
        if (sources.Count > 1 && File.Exists(destinationHost))
        {
            throw new OciException(ErrorCodes.NotACopyDestination, $"cannot copy {sources.Count} sources to {destination}: it is a file in the container; name a directory");
        }

        foreach (string source in sources)
        {
            string sourcePath = Path.GetFullPath(source);
            if (Directory.Exists(sourcePath))
            {
                CopyDirectory(sourcePath, containerDestination);
            }
            else if (!File.Exists(sourcePath))
            {
                throw new OciException(ErrorCodes.InvalidArgument, $"source {source} does not exist on the host");
            }
            else if (extractArchives && ArchiveMediaType(sourcePath) is { } mediaType)
            {
                string target = CreateDirectory(containerDestination);
                await using var archive = File.OpenRead(sourcePath);
                await LayerExtractor.ExtractAsync(archive, mediaType, target, sourcePath, cancellationToken);
            }
            else
            {
                string target = intoDirectory ? $"{containerDestination.TrimEnd('/')}/{Path.GetFileName(sourcePath)}" : containerDestination;
                CopyFile(sourcePath, target);
            }
        }
    }

    private void CopyDirectory(string source, string containerDirectory)
    {
        CreateDirectory(containerDirectory);
        foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos())
        {
            string target = $"{containerDirectory.TrimEnd('/')}/{entry.Name}";
            if (entry.LinkTarget is { } link)
            {
                string hostPath = PrepareTarget(target);
                File.CreateSymbolicLink(hostPath, link);
            }
            else if (entry is DirectoryInfo directory)
            {
                CopyDirectory(directory.FullName, target);
            }
            else
            {
                CopyFile(entry.FullName, target);
            }
        }
    }

    private void CopyFile(string source, string containerPath)
    {
        string hostPath = PrepareTarget(containerPath);
        File.Copy(source, hostPath);
        File.SetUnixFileMode(hostPath, File.GetUnixFileMode(source));
        SetOwner(hostPath);
    }

    /// <summary>Returns the host path for a new entry, with its parent resolved and created, and whatever was there removed.</summary>
    private string PrepareTarget(string containerPath)
    {
        string parent = containerPath[..containerPath.TrimEnd('/').LastIndexOf('/')];
        string hostParent = CreateDirectory(parent.Length == 0 ? "/" : parent);
        string hostPath = Path.Combine(hostParent, Path.GetFileName(containerPath.TrimEnd('/')));
        if (Directory.Exists(hostPath) && new FileInfo(hostPath).LinkTarget is null)
        {
            throw new OciException(ErrorCodes.NotACopyDestination, $"cannot copy a file to {containerPath}: it is a directory in the container");
        }

        File.Delete(hostPath);
        return hostPath;
    }

    /// <summary>Creates a directory and its parents inside the container and returns its host path.</summary>
    private string CreateDirectory(string containerPath)
    {
        string prefix = "";
        string hostPath = _rootfs;
        foreach (string component in containerPath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            prefix += "/" + component;
            hostPath = RootfsPath.Resolve(_rootfs, prefix);
            if (!Directory.Exists(hostPath))
            {
                if (File.Exists(hostPath))
                {
                    throw new OciException(ErrorCodes.NotACopyDestination, $"cannot create the directory {prefix} in the container: a file is in the way");
                }

                Directory.CreateDirectory(hostPath);
                SetOwner(hostPath);
            }
        }

        return hostPath;
    }

    private void SetOwner(string hostPath)
    {
        if (Environment.IsPrivilegedProcess)
        {
            // chown clears setuid and setgid bits, so the mode is set again after it.
            var mode = File.GetUnixFileMode(hostPath);
            FileOwner.Set(hostPath, _userId, _groupId);
            File.SetUnixFileMode(hostPath, mode);
        }
    }

    /// <summary>Returns the layer media type that reads the file when it is a tar archive, plain or gzip-compressed, else null.</summary>
    private static string? ArchiveMediaType(string path)
    {
        byte[] header = new byte[512];
        using var file = File.OpenRead(path);
        int read = file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (read >= 2 && header[0] == 0x1F && header[1] == 0x8B)
        {
            return MediaTypes.OciLayerGzip;
        }

        // POSIX and GNU tar headers carry "ustar" at offset 257.
        return read == 512 && header.AsSpan(257, 5).SequenceEqual("ustar"u8) ? MediaTypes.OciLayer : null;
    }

    private static (int UserId, int GroupId) ParseOwner(string? owner)
    {
        if (string.IsNullOrEmpty(owner))
        {
            return (0, 0);
        }

        string[] parts = owner.Split(':');
        if (parts.Length > 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int uid)
            || (parts.Length == 2 && !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            throw new OciException(ErrorCodes.InvalidArgument, $"invalid --chown \"{owner}\": expected UID[:GID] as numbers");
        }

        return (uid, parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : uid);
    }
}
