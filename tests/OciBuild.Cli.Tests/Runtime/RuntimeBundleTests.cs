using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using OciBuild.Cli.Runtime;

namespace OciBuild.Cli.Tests.Runtime;

[SupportedOSPlatform("linux")]
public sealed class RuntimeBundleTests : IDisposable
{
    private readonly TemporaryRootfs rootfs = new();
    private readonly string bundle = Directory.CreateTempSubdirectory("ocibuild-test-bundle-").FullName;

    public void Dispose()
    {
        rootfs.Dispose();
        Directory.Delete(bundle, recursive: true);
    }

    [Fact]
    public void Bundle_contains_config_and_etc_files()
    {
        var options = new RunOptions { Hostname = "builder" };

        JsonObject spec = RuntimeBundle.Write(bundle, rootfs.Path, RuntimeSpecBuilderTests.Image(cmd: ["sh"]), options);

        JsonNode written = JsonNode.Parse(File.ReadAllText(Path.Join(bundle, "config.json")))!;
        Assert.True(JsonNode.DeepEquals(spec, written));
        Assert.Equal("builder\n", File.ReadAllText(Path.Join(bundle, "hostname")));
        Assert.Equal("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.0.1\tbuilder\n",
            File.ReadAllText(Path.Join(bundle, "hosts")));
        Assert.False(File.Exists(Path.Join(bundle, "resolv.conf")));
    }

    [Fact]
    public void Etc_files_are_bind_mounted_from_the_bundle()
    {
        JsonObject spec = RuntimeBundle.Write(bundle, rootfs.Path, RuntimeSpecBuilderTests.Image(cmd: ["sh"]), new RunOptions());

        var binds = spec["mounts"]!.AsArray()
            .Where(mount => mount!["type"]!.GetValue<string>() == "bind")
            .ToDictionary(mount => mount!["destination"]!.GetValue<string>(), mount => mount!["source"]!.GetValue<string>());
        Assert.Equal(new Dictionary<string, string> { ["/etc/hostname"] = "hostname", ["/etc/hosts"] = "hosts" }, binds);
    }

    [Fact]
    public void Host_network_gets_the_host_resolv_conf()
    {
        Assert.True(File.Exists("/etc/resolv.conf"), "this test needs the host's /etc/resolv.conf");
        var options = new RunOptions { Network = NetworkMode.Host };

        JsonObject spec = RuntimeBundle.Write(bundle, rootfs.Path, RuntimeSpecBuilderTests.Image(cmd: ["sh"]), options);

        Assert.Equal(File.ReadAllText("/etc/resolv.conf"), File.ReadAllText(Path.Join(bundle, "resolv.conf")));
        Assert.Contains(spec["mounts"]!.AsArray(), mount => mount!["destination"]!.GetValue<string>() == "/etc/resolv.conf");
    }

    [Fact]
    public void Hosts_keeps_image_entries()
    {
        rootfs.WriteFile("/etc/hosts", "127.0.0.1 localhost\n10.0.0.5 db # database\n");

        string hosts = RuntimeBundle.BuildHostsFile(rootfs.Path, "builder");

        Assert.Equal("127.0.0.1 localhost\n10.0.0.5 db # database\n127.0.0.1\tbuilder\n", hosts);
    }

    [Fact]
    public void Hosts_does_not_repeat_a_listed_hostname()
    {
        rootfs.WriteFile("/etc/hosts", "127.0.0.1 localhost builder\n");

        Assert.Equal("127.0.0.1 localhost builder\n", RuntimeBundle.BuildHostsFile(rootfs.Path, "builder"));
    }

    [Fact]
    public void Bundle_leaves_the_rootfs_unchanged()
    {
        RuntimeBundle.Write(bundle, rootfs.Path, RuntimeSpecBuilderTests.Image(cmd: ["sh"]), new RunOptions { Network = NetworkMode.Host });

        Assert.Empty(Directory.EnumerateFileSystemEntries(rootfs.Path));
    }
}
