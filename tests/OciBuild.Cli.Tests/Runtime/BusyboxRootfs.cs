using System.Runtime.Versioning;
using OciBuild.Cli.Runtime;
using OciBuild.Core.Errors;

namespace OciBuild.Cli.Tests.Runtime;

/// <summary>
/// A minimal rootfs for running real containers: a static busybox with links for the applets the
/// tests use, a user and groups in /etc, and a /work directory. It has no /proc, /dev, /sys or
/// /etc/hosts, so runc must create those mount points.
/// </summary>
[SupportedOSPlatform("linux")]
public static class BusyboxRootfs
{
    private const string BusyboxPath = "/bin/busybox";

    private static readonly string[] Applets = ["sh", "echo", "hostname", "id", "cat", "ls", "ip", "pwd", "sleep", "touch", "env"];

    /// <summary>
    /// Creates the rootfs, or fails with what to install when the machine cannot run the integration
    /// tests. They need root, runc and a statically linked busybox (Debian's busybox-static).
    /// </summary>
    public static TemporaryRootfs Create()
    {
        Assert.True(Environment.IsPrivilegedProcess,
            "the runc integration tests need root, because runc creates namespaces and mounts; run `dotnet test` as root");
        try
        {
            RuncRuntime.Locate();
        }
        catch (OciException e)
        {
            Assert.Fail($"the runc integration tests need runc: {e.Message}");
        }

        Assert.True(File.Exists(BusyboxPath), $"the runc integration tests need {BusyboxPath}; install it with `apt-get install busybox-static`");

        var rootfs = new TemporaryRootfs();
        Directory.CreateDirectory(rootfs.HostPath("/bin"));
        File.Copy(BusyboxPath, rootfs.HostPath(BusyboxPath));
        foreach (string applet in Applets)
        {
            File.CreateSymbolicLink(rootfs.HostPath($"/bin/{applet}"), "busybox");
        }

        rootfs.WriteFile("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/work:/bin/sh\n");
        rootfs.WriteFile("/etc/group", "root:x:0:\napp:x:1000:\nstaff:x:50:app\n");
        Directory.CreateDirectory(rootfs.HostPath("/work"));

        try
        {
            ExecutableCheck.Verify(rootfs.Path, [BusyboxPath], [], "/");
        }
        catch (OciException e)
        {
            rootfs.Dispose();
            Assert.Fail($"{BusyboxPath} cannot run in an empty rootfs ({e.Message}); install the static build with `apt-get install busybox-static`");
        }

        return rootfs;
    }
}
