using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using OciBuild.Cli.Runtime;
using OciBuild.Core.Errors;

namespace OciBuild.Cli.Tests.Runtime;

[SupportedOSPlatform("linux")]
public sealed class ContainerUserTests : IDisposable
{
    private readonly TemporaryRootfs rootfs = new();

    public ContainerUserTests()
    {
        rootfs.WriteFile("/etc/passwd", """
            # comment lines and short lines are skipped
            root:x:0:0:root:/root:/bin/sh
            broken:x
            app:x:1000:1000:App:/home/app:/bin/sh
            web:x:33:33:www:/var/www:/usr/sbin/nologin
            """);
        rootfs.WriteFile("/etc/group", """
            root:x:0:
            staff:x:50:app,web
            docker:x:999:app
            app:x:1000:
            """);
    }

    public void Dispose() => rootfs.Dispose();

    [Theory]
    [InlineData(null, 0u, 0u)]
    [InlineData("", 0u, 0u)]
    [InlineData("app", 1000u, 1000u)]
    [InlineData("1000", 1000u, 1000u)]
    [InlineData("app:staff", 1000u, 50u)]
    [InlineData("app:7", 1000u, 7u)]
    [InlineData("4321", 4321u, 0u)]
    [InlineData("4321:99", 4321u, 99u)]
    [InlineData("web:app", 33u, 1000u)]
    public void User_resolves_uid_and_gid(string? user, uint uid, uint gid)
    {
        ContainerUser resolved = ContainerUser.Resolve(rootfs.Path, user);

        Assert.Equal(uid, resolved.Uid);
        Assert.Equal(gid, resolved.Gid);
    }

    [Fact]
    public void Named_user_gets_supplementary_groups()
    {
        ContainerUser resolved = ContainerUser.Resolve(rootfs.Path, "app");

        Assert.Equal([50u, 999u], resolved.AdditionalGids);
    }

    [Fact]
    public void Primary_group_is_not_repeated_as_supplementary()
    {
        ContainerUser resolved = ContainerUser.Resolve(rootfs.Path, "app:staff");

        Assert.Equal([999u], resolved.AdditionalGids);
    }

    [Fact]
    public void Numeric_user_without_entry_has_no_supplementary_groups()
    {
        Assert.Empty(ContainerUser.Resolve(rootfs.Path, "4321").AdditionalGids);
    }

    [Fact]
    public void Spec_carries_the_resolved_user()
    {
        var options = new RunOptions { User = "app" };

        JsonObject spec = RuntimeSpecBuilder.Build(rootfs.Path, RuntimeSpecBuilderTests.Image(cmd: ["sh"]), options);

        JsonNode user = spec["process"]!["user"]!;
        Assert.Equal(1000u, user["uid"]!.GetValue<uint>());
        Assert.Equal(1000u, user["gid"]!.GetValue<uint>());
        Assert.Equal([50u, 999u], user["additionalGids"]!.AsArray().Select(gid => gid!.GetValue<uint>()));
    }

    [Fact]
    public void Spec_uses_image_user_unless_overridden()
    {
        var image = RuntimeSpecBuilderTests.Image(cmd: ["sh"]);
        image.Config!.User = "web";

        JsonObject fromImage = RuntimeSpecBuilder.Build(rootfs.Path, image, new RunOptions());
        JsonObject overridden = RuntimeSpecBuilder.Build(rootfs.Path, image, new RunOptions { User = "0" });

        Assert.Equal(33u, fromImage["process"]!["user"]!["uid"]!.GetValue<uint>());
        Assert.Equal(0u, overridden["process"]!["user"]!["uid"]!.GetValue<uint>());
    }

    [Theory]
    [InlineData("nobody", "no user named \"nobody\"")]
    [InlineData("app:nogroup", "no group named \"nogroup\"")]
    [InlineData(":50", "expected uid, uid:gid, name or name:group")]
    [InlineData("app:", "expected uid, uid:gid, name or name:group")]
    public void Unknown_or_malformed_user_is_rejected(string user, string expected)
    {
        var error = Assert.Throws<OciException>(() => ContainerUser.Resolve(rootfs.Path, user));

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Passwd_symlink_resolves_inside_the_rootfs()
    {
        // An absolute link must point into the rootfs, never at the host's file of that name.
        using var linked = new TemporaryRootfs();
        linked.WriteFile("/etc/users.db", "svc:x:700:701::/:/bin/sh\n");
        File.CreateSymbolicLink(linked.HostPath("/etc/passwd"), "/etc/users.db");

        ContainerUser resolved = ContainerUser.Resolve(linked.Path, "svc");

        Assert.Equal(700u, resolved.Uid);
        Assert.Equal(701u, resolved.Gid);
    }

    [Fact]
    public void Passwd_symlink_to_host_root_stays_in_rootfs()
    {
        // Followed on the host, this link reaches the host's /etc/passwd, which has a root entry.
        using var linked = new TemporaryRootfs();
        Directory.CreateDirectory(linked.HostPath("/etc"));
        File.CreateSymbolicLink(linked.HostPath("/etc/passwd"), "/proc/self/root/etc/passwd");

        var error = Assert.Throws<OciException>(() => ContainerUser.Resolve(linked.Path, "root"));

        Assert.Contains("no user named \"root\"", error.Message);
    }

    [Fact]
    public void Passwd_symlink_loop_is_reported()
    {
        using var linked = new TemporaryRootfs();
        Directory.CreateDirectory(linked.HostPath("/etc"));
        File.CreateSymbolicLink(linked.HostPath("/etc/passwd"), "../etc/passwd");

        var error = Assert.Throws<OciException>(() => ContainerUser.Resolve(linked.Path, "app"));

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.Contains("cannot read the image's /etc/passwd", error.Message);
        Assert.Contains("too many levels of symbolic links", error.Message);
    }
}
