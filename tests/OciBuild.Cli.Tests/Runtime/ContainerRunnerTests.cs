using System.Runtime.Versioning;
using OciBuild.Cli.Runtime;
using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Cli.Tests.Runtime;

/// <summary>Runs containers from a busybox rootfs under the real runc.</summary>
[Collection(RuncCollection.Name)]
[SupportedOSPlatform("linux")]
public sealed class ContainerRunnerTests : IDisposable
{
    private readonly TemporaryRootfs rootfs = BusyboxRootfs.Create();

    public void Dispose() => rootfs.Dispose();

    [Fact]
    public async Task Run_captures_stdout()
    {
        ContainerRun run = await ContainerRun.StartAsync(rootfs, ["echo", "hello from the container"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("hello from the container\n", run.StandardOutput);
        Assert.Equal("", run.StandardError);
    }

    [Fact]
    public async Task Run_keeps_stderr_apart()
    {
        ContainerRun run = await ContainerRun.StartAsync(rootfs, ["sh", "-c", "echo out; echo err >&2"]);

        Assert.Equal("out\n", run.StandardOutput);
        Assert.Equal("err\n", run.StandardError);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(255)]
    public async Task Run_passes_exit_code_through(int exitCode)
    {
        ContainerRun run = await ContainerRun.StartAsync(rootfs, ["sh", "-c", $"exit {exitCode}"]);

        Assert.Equal(exitCode, run.ExitCode);
    }

    [Fact]
    public async Task Run_uses_image_entrypoint_and_cmd()
    {
        var image = new ImageConfig { Config = new ContainerConfig { Entrypoint = ["echo", "entrypoint"], Cmd = ["cmd"] } };

        ContainerRun run = await ContainerRun.StartAsync(rootfs, args: null, image: image);

        Assert.Equal("entrypoint cmd\n", run.StandardOutput);
    }

    [Fact]
    public async Task Run_sets_environment()
    {
        var image = new ImageConfig { Config = new ContainerConfig { Env = ["FROM_IMAGE=image", "SHARED=image"] } };
        var options = new RunOptions { Env = ["SHARED=override", "EXTRA=a b=c"] };

        ContainerRun run = await ContainerRun.StartAsync(rootfs, ["env"], options, image, containerName: "env-test");

        string[] env = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("FROM_IMAGE=image", env);
        Assert.Contains("SHARED=override", env);
        Assert.Contains("EXTRA=a b=c", env);
        Assert.Contains("HOSTNAME=env-test", env);
        Assert.Contains($"PATH={RuntimeSpecBuilder.DefaultPath}", env);
    }

    [Fact]
    public async Task Run_applies_working_directory()
    {
        var image = new ImageConfig { Config = new ContainerConfig { WorkingDir = "/bin" } };

        ContainerRun fromImage = await ContainerRun.StartAsync(rootfs, ["pwd"], image: image);
        ContainerRun overridden = await ContainerRun.StartAsync(rootfs, ["pwd"], new RunOptions { WorkingDirectory = "/work" }, image);

        Assert.Equal("/bin\n", fromImage.StandardOutput);
        Assert.Equal("/work\n", overridden.StandardOutput);
    }

    [Fact]
    public async Task Run_sets_hostname_to_container_name()
    {
        ContainerRun run = await ContainerRun.StartAsync(rootfs, ["sh", "-c", "hostname; cat /etc/hostname"], containerName: "step-3");

        Assert.Equal("step-3\nstep-3\n", run.StandardOutput);
    }

    [Fact]
    public async Task Run_applies_hostname_option()
    {
        var options = new RunOptions { Hostname = "custom-host" };

        ContainerRun run = await ContainerRun.StartAsync(rootfs, ["sh", "-c", "hostname; cat /etc/hosts"], options);

        Assert.StartsWith("custom-host\n", run.StandardOutput);
        Assert.Contains("127.0.0.1\tlocalhost\n", run.StandardOutput);
        Assert.Contains("127.0.0.1\tcustom-host\n", run.StandardOutput);
    }

    [Theory]
    [InlineData(NetworkMode.Private)]
    [InlineData(NetworkMode.None)]
    public async Task Run_isolates_network_to_loopback(NetworkMode network)
    {
        ContainerRun run = await ContainerRun.StartAsync(rootfs, ["sh", "-c", "ls /sys/class/net; ip -o link"], new RunOptions { Network = network });

        string[] lines = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("lo", lines[0]);
        string link = Assert.Single(lines[1..]);
        Assert.Contains(": lo: <LOOPBACK,UP", link);
    }

    [Fact]
    public async Task Run_on_host_network_sees_host_interfaces()
    {
        string[] hostInterfaces = Directory.GetFileSystemEntries("/sys/class/net").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

        ContainerRun run = await ContainerRun.StartAsync(rootfs, ["sh", "-c", "ls -1 /sys/class/net; cat /etc/resolv.conf"], new RunOptions { Network = NetworkMode.Host });

        Assert.Equal(0, run.ExitCode);
        string expected = string.Join('\n', hostInterfaces) + "\n" + File.ReadAllText("/etc/resolv.conf");
        Assert.Equal(expected, run.StandardOutput);
    }

    [Fact]
    public async Task Run_applies_numeric_user()
    {
        ContainerRun run = await ContainerRun.StartAsync(rootfs, ["sh", "-c", "id -u; id -g"], new RunOptions { User = "1234:5678" });

        Assert.Equal("1234\n5678\n", run.StandardOutput);
    }

    [Fact]
    public async Task Run_looks_up_named_user()
    {
        ContainerRun run = await ContainerRun.StartAsync(rootfs, ["sh", "-c", "id -u; id -g; id -G"], new RunOptions { User = "app" });

        Assert.Equal("1000\n1000\n1000 50\n", run.StandardOutput);
    }

    [Fact]
    public async Task Run_mounts_writable_bind()
    {
        using var data = new TemporaryRootfs();
        var options = new RunOptions { Mounts = [new BindMount(data.Path, "/data")] };

        ContainerRun run = await ContainerRun.StartAsync(rootfs, ["sh", "-c", "echo written > /data/out.txt"], options);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("written\n", File.ReadAllText(Path.Join(data.Path, "out.txt")));
    }

    [Fact]
    public async Task Run_mounts_readonly_bind()
    {
        using var data = new TemporaryRootfs();
        data.WriteFile("/in.txt", "input\n");
        var options = new RunOptions { Mounts = [new BindMount(data.Path, "/data", ReadOnly: true)] };

        ContainerRun run = await ContainerRun.StartAsync(rootfs, ["sh", "-c", "cat /data/in.txt; touch /data/new"], options);

        Assert.Equal("input\n", run.StandardOutput);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("Read-only file system", run.StandardError);
        Assert.False(File.Exists(Path.Join(data.Path, "new")));
    }

    [Fact]
    public async Task Run_removes_mount_points_it_created()
    {
        using var data = new TemporaryRootfs();
        string[] before = ListTree(rootfs.Path);
        var options = new RunOptions { Mounts = [new BindMount(data.Path, "/mnt/data")] };

        ContainerRun run = await ContainerRun.StartAsync(rootfs, ["sh", "-c", "ls /proc/self >/dev/null"], options);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(before, ListTree(rootfs.Path));
    }

    [Fact]
    public async Task Run_keeps_files_the_container_wrote()
    {
        ContainerRun run = await ContainerRun.StartAsync(rootfs, ["sh", "-c", "echo hi > /etc/motd; mkdir /proc-copy"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("hi\n", File.ReadAllText(rootfs.HostPath("/etc/motd")));
        Assert.True(Directory.Exists(rootfs.HostPath("/proc-copy")));
        Assert.False(File.Exists(rootfs.HostPath("/etc/hosts")));
        Assert.False(Directory.Exists(rootfs.HostPath("/proc")));
    }

    [Fact]
    public async Task Run_deletes_bundle_and_container()
    {
        ContainerRun run = await ContainerRun.StartAsync(rootfs, ["echo"], containerName: "cleanup");

        string specLine = run.DebugLog.Single(line => line.StartsWith("runtime spec of container", StringComparison.Ordinal));
        string configPath = specLine[(specLine.IndexOf('(') + 1)..specLine.IndexOf(')')];
        Assert.EndsWith("/config.json", configPath);
        Assert.False(Directory.Exists(Path.GetDirectoryName(configPath)));
        Assert.Matches("^cleanup-[0-9a-f]{8}$", run.ContainerId);
        Assert.Contains(run.DebugLog, line => line.EndsWith($" delete --force {run.ContainerId}", StringComparison.Ordinal));
        Assert.DoesNotContain(run.ContainerId, await ContainerRun.ListRuncContainersAsync());
    }

    [Fact]
    public async Task Missing_binary_raises_runtime_failed()
    {
        var error = await Assert.ThrowsAsync<OciException>(() => ContainerRun.StartAsync(rootfs, ["/nonexistent/app"]));

        Assert.Equal(ErrorCodes.RuntimeFailed, error.Code);
        Assert.Contains("runc failed to run container ocibuild-test-", error.Message);
        Assert.Contains("/nonexistent/app", error.Message);
        Assert.Contains("no such file or directory", error.Message);
    }

    [Fact]
    public async Task Command_not_on_path_raises_runtime_failed()
    {
        var error = await Assert.ThrowsAsync<OciException>(() => ContainerRun.StartAsync(rootfs, ["no-such-command"]));

        Assert.Equal(ErrorCodes.RuntimeFailed, error.Code);
        Assert.Contains("\"no-such-command\": executable file not found in $PATH", error.Message);
    }

    [Fact]
    public async Task Exec_format_error_raises_runtime_failed()
    {
        rootfs.WriteFile("/bin/not-a-program", "just text\n", UnixFileMode.UserRead | UnixFileMode.UserExecute);

        var error = await Assert.ThrowsAsync<OciException>(() => ContainerRun.StartAsync(rootfs, ["not-a-program"]));

        Assert.Equal(ErrorCodes.RuntimeFailed, error.Code);
        Assert.Contains("cannot run /bin/not-a-program in the container: exec format error", error.Message);
    }

    private static string[] ListTree(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(root, path))
            .Order(StringComparer.Ordinal)
            .ToArray();
}
