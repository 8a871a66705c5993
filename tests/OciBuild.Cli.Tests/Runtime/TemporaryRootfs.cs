using System.Runtime.Versioning;

namespace OciBuild.Cli.Tests.Runtime;

/// <summary>A rootfs directory under the system's temporary directory, deleted on dispose.</summary>
[SupportedOSPlatform("linux")]
public sealed class TemporaryRootfs : IDisposable
{
    public TemporaryRootfs()
    {
        Path = Directory.CreateTempSubdirectory("ocibuild-test-rootfs-").FullName;
    }

    public string Path { get; }

    /// <summary>Writes <paramref name="content"/> to <paramref name="containerPath"/>, creating its directories.</summary>
    public string WriteFile(string containerPath, string content, UnixFileMode? mode = null)
    {
        string hostPath = HostPath(containerPath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(hostPath)!);
        File.WriteAllText(hostPath, content);
        if (mode is { } fileMode)
        {
            File.SetUnixFileMode(hostPath, fileMode);
        }

        return hostPath;
    }

    public string WriteFile(string containerPath, byte[] content, UnixFileMode mode)
    {
        string hostPath = HostPath(containerPath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(hostPath)!);
        File.WriteAllBytes(hostPath, content);
        File.SetUnixFileMode(hostPath, mode);
        return hostPath;
    }

    public string HostPath(string containerPath) => System.IO.Path.Join(Path, containerPath.TrimStart('/'));

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
