using System.Runtime.Versioning;
using OciBuild.Cli.Runtime;

namespace OciBuild.Cli.Tests.Runtime;

[SupportedOSPlatform("linux")]
public sealed class RootfsPathTests : IDisposable
{
    private readonly TemporaryRootfs rootfs = new();

    public void Dispose() => rootfs.Dispose();

    [Theory]
    [InlineData("/etc/passwd", "etc/passwd")]
    [InlineData("etc/./passwd", "etc/passwd")]
    [InlineData("/../../etc/passwd", "etc/passwd")]
    [InlineData("/", "")]
    public void Plain_paths_stay_under_the_rootfs(string containerPath, string expected)
    {
        Assert.Equal(Path.Join(rootfs.Path, expected).TrimEnd('/'), RootfsPath.Resolve(rootfs.Path, containerPath));
    }

    [Fact]
    public void Absolute_link_is_taken_from_the_rootfs()
    {
        Directory.CreateDirectory(rootfs.HostPath("/usr/lib"));
        File.CreateSymbolicLink(rootfs.HostPath("/lib"), "/usr/lib");

        Assert.Equal(rootfs.HostPath("/usr/lib/ld.so"), RootfsPath.Resolve(rootfs.Path, "/lib/ld.so"));
    }

    [Fact]
    public void Relative_link_cannot_climb_out()
    {
        Directory.CreateDirectory(rootfs.HostPath("/etc"));
        File.CreateSymbolicLink(rootfs.HostPath("/etc/shadow"), "../../../../../etc/shadow-real");

        Assert.Equal(rootfs.HostPath("/etc/shadow-real"), RootfsPath.Resolve(rootfs.Path, "/etc/shadow"));
    }

    [Fact]
    public void Link_loop_raises_io_exception()
    {
        File.CreateSymbolicLink(rootfs.HostPath("/a"), "/b");
        File.CreateSymbolicLink(rootfs.HostPath("/b"), "/a");

        var error = Assert.Throws<IOException>(() => RootfsPath.Resolve(rootfs.Path, "/a/file"));

        Assert.Contains("too many levels of symbolic links resolving /a/file", error.Message);
    }
}
