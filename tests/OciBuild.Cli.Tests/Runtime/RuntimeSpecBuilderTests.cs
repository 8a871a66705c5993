using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using OciBuild.Cli.Runtime;
using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Cli.Tests.Runtime;

[SupportedOSPlatform("linux")]
public sealed class RuntimeSpecBuilderTests : IDisposable
{
    private readonly TemporaryRootfs rootfs = new();

    public void Dispose() => rootfs.Dispose();

    [Fact]
    public void Args_join_entrypoint_and_cmd()
    {
        ImageConfig image = Image(entrypoint: ["/app/server", "--verbose"], cmd: ["--port", "80"]);

        JsonObject spec = RuntimeSpecBuilder.Build(rootfs.Path, image, new RunOptions());

        Assert.Equal(["/app/server", "--verbose", "--port", "80"], Strings(spec["process"]!["args"]));
    }

    [Fact]
    public void Args_use_cmd_alone_without_entrypoint()
    {
        JsonObject spec = RuntimeSpecBuilder.Build(rootfs.Path, Image(cmd: ["sh"]), new RunOptions());

        Assert.Equal(["sh"], Strings(spec["process"]!["args"]));
    }

    [Fact]
    public void Args_override_replaces_entrypoint_and_cmd()
    {
        ImageConfig image = Image(entrypoint: ["/app/server"], cmd: ["--port", "80"]);

        JsonObject spec = RuntimeSpecBuilder.Build(rootfs.Path, image, new RunOptions { Args = ["sh", "-c", "ls"] });

        Assert.Equal(["sh", "-c", "ls"], Strings(spec["process"]!["args"]));
    }

    [Fact]
    public void Missing_command_is_rejected()
    {
        var error = Assert.Throws<OciException>(() => RuntimeSpecBuilder.Build(rootfs.Path, Image(), new RunOptions()));

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.Equal("the image has no Entrypoint or Cmd; pass a command", error.Message);
    }

    [Fact]
    public void Empty_args_override_is_rejected()
    {
        var error = Assert.Throws<OciException>(() => RuntimeSpecBuilder.Build(rootfs.Path, Image(cmd: ["sh"]), new RunOptions { Args = [] }));

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
    }

    [Fact]
    public void Env_merges_image_hostname_path_then_overrides()
    {
        ImageConfig image = Image(cmd: ["sh"], env: ["A=image", "HOSTNAME=from-image", "B=image"]);
        var options = new RunOptions { Hostname = "box", Env = ["B=override", "C=new", "A=override", "C=newer"] };

        JsonObject spec = RuntimeSpecBuilder.Build(rootfs.Path, image, options);

        Assert.Equal(
            ["A=override", "HOSTNAME=box", "B=override", $"PATH={RuntimeSpecBuilder.DefaultPath}", "C=newer"],
            Strings(spec["process"]!["env"]));
    }

    [Fact]
    public void Env_keeps_image_path()
    {
        ImageConfig image = Image(cmd: ["sh"], env: ["PATH=/opt/bin:/bin"]);

        JsonObject spec = RuntimeSpecBuilder.Build(rootfs.Path, image, new RunOptions());

        Assert.Equal(["PATH=/opt/bin:/bin", "HOSTNAME=localhost"], Strings(spec["process"]!["env"]));
    }

    [Fact]
    public void Env_path_override_wins()
    {
        JsonObject spec = RuntimeSpecBuilder.Build(rootfs.Path, Image(cmd: ["sh"]), new RunOptions { Env = ["PATH=/x"] });

        Assert.Equal(["HOSTNAME=localhost", "PATH=/x"], Strings(spec["process"]!["env"]));
    }

    [Fact]
    public void Env_adds_term_for_terminal()
    {
        JsonObject spec = RuntimeSpecBuilder.Build(rootfs.Path, Image(cmd: ["sh"]), new RunOptions { Terminal = true });

        Assert.Contains("TERM=xterm", Strings(spec["process"]!["env"]));
        Assert.True(spec["process"]!["terminal"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("NOVALUE")]
    [InlineData("=value")]
    public void Env_override_without_name_and_value_is_rejected(string entry)
    {
        var options = new RunOptions { Env = [entry] };

        var error = Assert.Throws<OciException>(() => RuntimeSpecBuilder.Build(rootfs.Path, Image(cmd: ["sh"]), options));

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.Contains($"\"{entry}\"", error.Message);
    }

    [Theory]
    [InlineData(null, null, "/")]
    [InlineData("/srv", null, "/srv")]
    [InlineData("/srv", "/tmp", "/tmp")]
    public void Cwd_comes_from_override_then_image(string? imageWorkingDir, string? overrideDirectory, string expected)
    {
        ImageConfig image = Image(cmd: ["sh"]);
        image.Config!.WorkingDir = imageWorkingDir;

        JsonObject spec = RuntimeSpecBuilder.Build(rootfs.Path, image, new RunOptions { WorkingDirectory = overrideDirectory });

        Assert.Equal(expected, spec["process"]!["cwd"]!.GetValue<string>());
    }

    [Fact]
    public void Relative_cwd_is_rejected()
    {
        var error = Assert.Throws<OciException>(() =>
            RuntimeSpecBuilder.Build(rootfs.Path, Image(cmd: ["sh"]), new RunOptions { WorkingDirectory = "work" }));

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
    }

    [Fact]
    public void Process_has_engine_security_defaults()
    {
        JsonObject spec = RuntimeSpecBuilder.Build(rootfs.Path, Image(cmd: ["sh"]), new RunOptions());
        JsonNode process = spec["process"]!;

        foreach (string set in new[] { "bounding", "effective", "permitted" })
        {
            Assert.Equal(RuntimeSpecBuilder.DefaultCapabilities, Strings(process["capabilities"]![set]));
        }

        Assert.Equal(11, RuntimeSpecBuilder.DefaultCapabilities.Count);
        JsonNode rlimit = Assert.Single(process["rlimits"]!.AsArray())!;
        Assert.Equal("RLIMIT_NOFILE", rlimit["type"]!.GetValue<string>());
        Assert.Equal(1024, rlimit["soft"]!.GetValue<int>());
        Assert.Equal(1024, rlimit["hard"]!.GetValue<int>());
        Assert.True(process["noNewPrivileges"]!.GetValue<bool>());
    }

    [Fact]
    public void Missing_rootfs_is_rejected()
    {
        string missing = Path.Join(rootfs.Path, "missing");

        var error = Assert.Throws<OciException>(() => RuntimeSpecBuilder.Build(missing, Image(cmd: ["sh"]), new RunOptions()));

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.Contains($"the rootfs directory {missing} does not exist", error.Message);
    }

    [Fact]
    public void Root_is_absolute_and_writable()
    {
        JsonObject spec = RuntimeSpecBuilder.Build(rootfs.Path, Image(cmd: ["sh"]), new RunOptions());

        Assert.Equal("1.0.2", spec["ociVersion"]!.GetValue<string>());
        Assert.Equal(Path.GetFullPath(rootfs.Path), spec["root"]!["path"]!.GetValue<string>());
        Assert.False(spec["root"]!["readonly"]!.GetValue<bool>());
    }

    [Fact]
    public void Linux_section_has_no_cgroup_settings()
    {
        JsonObject spec = RuntimeSpecBuilder.Build(rootfs.Path, Image(cmd: ["sh"]), new RunOptions());
        JsonObject linux = spec["linux"]!.AsObject();

        Assert.False(linux.ContainsKey("resources"));
        Assert.False(linux.ContainsKey("cgroupsPath"));
        Assert.Contains("/proc/kcore", Strings(linux["maskedPaths"]));
        Assert.Contains("/proc/sys", Strings(linux["readonlyPaths"]));
    }

    [Theory]
    [InlineData(NetworkMode.Private, new[] { "pid", "ipc", "uts", "mount", "network" })]
    [InlineData(NetworkMode.None, new[] { "pid", "ipc", "uts", "mount", "network" })]
    [InlineData(NetworkMode.Host, new[] { "pid", "ipc", "uts", "mount" })]
    public void Namespaces_follow_network_mode(NetworkMode network, string[] expected)
    {
        JsonObject spec = RuntimeSpecBuilder.Build(rootfs.Path, Image(cmd: ["sh"]), new RunOptions { Network = network });

        string[] types = spec["linux"]!["namespaces"]!.AsArray().Select(ns => ns!["type"]!.GetValue<string>()).ToArray();
        Assert.Equal(expected, types);
        Assert.All(spec["linux"]!["namespaces"]!.AsArray(), ns => Assert.False(ns!.AsObject().ContainsKey("path")));
    }

    [Fact]
    public void Mounts_include_the_standard_filesystems()
    {
        JsonObject spec = RuntimeSpecBuilder.Build(rootfs.Path, Image(cmd: ["sh"]), new RunOptions());

        JsonNode[] mounts = spec["mounts"]!.AsArray().Select(mount => mount!).ToArray();
        Assert.Equal(["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys"],
            mounts.Select(mount => mount["destination"]!.GetValue<string>()));
        Assert.Equal(["proc", "tmpfs", "devpts", "tmpfs", "mqueue", "sysfs"], mounts.Select(mount => mount["type"]!.GetValue<string>()));
        Assert.Contains("mode=755", Strings(mounts[1]["options"]));
        Assert.Contains("size=65536k", Strings(mounts[3]["options"]));
        Assert.Equal(["nosuid", "noexec", "nodev", "ro"], Strings(mounts[5]["options"]));
    }

    [Fact]
    public void Bind_mounts_are_rbind_with_ro_or_rw()
    {
        string source = Directory.CreateTempSubdirectory("ocibuild-test-bind-").FullName;
        try
        {
            var options = new RunOptions { Mounts = [new BindMount(source, "/data", ReadOnly: true), new BindMount(source, "/scratch")] };

            JsonObject spec = RuntimeSpecBuilder.Build(rootfs.Path, Image(cmd: ["sh"]), options);

            JsonNode[] binds = spec["mounts"]!.AsArray().Where(mount => mount!["type"]!.GetValue<string>() == "bind").Select(mount => mount!).ToArray();
            Assert.Equal(2, binds.Length);
            Assert.Equal("/data", binds[0]["destination"]!.GetValue<string>());
            Assert.Equal(source, binds[0]["source"]!.GetValue<string>());
            Assert.Equal(["rbind", "ro"], Strings(binds[0]["options"]));
            Assert.Equal(["rbind", "rw"], Strings(binds[1]["options"]));
        }
        finally
        {
            Directory.Delete(source);
        }
    }

    [Fact]
    public void Bind_mount_with_missing_source_is_rejected()
    {
        var options = new RunOptions { Mounts = [new BindMount("/nonexistent/ocibuild-test", "/data")] };

        var error = Assert.Throws<OciException>(() => RuntimeSpecBuilder.Build(rootfs.Path, Image(cmd: ["sh"]), options));

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.Contains("/nonexistent/ocibuild-test does not exist", error.Message);
    }

    [Fact]
    public void Bind_mount_with_relative_destination_is_rejected()
    {
        var options = new RunOptions { Mounts = [new BindMount(rootfs.Path, "data")] };

        var error = Assert.Throws<OciException>(() => RuntimeSpecBuilder.Build(rootfs.Path, Image(cmd: ["sh"]), options));

        Assert.Contains("destination must be an absolute path", error.Message);
    }

    [Theory]
    [InlineData(null, "localhost")]
    [InlineData("build-1", "build-1")]
    public void Hostname_defaults_to_localhost(string? hostname, string expected)
    {
        JsonObject spec = RuntimeSpecBuilder.Build(rootfs.Path, Image(cmd: ["sh"]), new RunOptions { Hostname = hostname });

        Assert.Equal(expected, spec["hostname"]!.GetValue<string>());
        Assert.Contains($"HOSTNAME={expected}", Strings(spec["process"]!["env"]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("a/b")]
    public void Invalid_hostname_is_rejected(string hostname)
    {
        var error = Assert.Throws<OciException>(() =>
            RuntimeSpecBuilder.Build(rootfs.Path, Image(cmd: ["sh"]), new RunOptions { Hostname = hostname }));

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
    }

    [Fact]
    public void Hostname_longer_than_64_is_rejected()
    {
        Assert.Throws<OciException>(() =>
            RuntimeSpecBuilder.Build(rootfs.Path, Image(cmd: ["sh"]), new RunOptions { Hostname = new string('h', 65) }));
    }

    internal static ImageConfig Image(List<string>? entrypoint = null, List<string>? cmd = null, List<string>? env = null) => new()
    {
        Config = new ContainerConfig { Entrypoint = entrypoint, Cmd = cmd, Env = env },
    };

    internal static string[] Strings(JsonNode? array) => array!.AsArray().Select(item => item!.GetValue<string>()).ToArray();
}
