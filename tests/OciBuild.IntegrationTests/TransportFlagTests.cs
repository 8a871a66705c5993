using OciBuild.Transport.Tests.Transports;

namespace OciBuild.IntegrationTests;

/// <summary>
/// CLI flags that pick where images go: <c>--daemon-host</c> (and <c>DOCKER_HOST</c>) against the fake
/// Docker engine on a socket in a temp folder, <c>docker-archive:FILE:@INDEX</c>, and <c>commit --chunk-size</c>.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class TransportFlagTests
{
    private readonly TestBed _bed;

    public TransportFlagTests(TestBed bed)
    {
        _bed = bed;
    }

    private string RuntimeDepsImage => $"{_bed.Registry.Address}/dotnet/runtime-deps:10.0";

    [Fact]
    public async Task Daemon_host_flag_wins_over_environment()
    {
        string folder = _bed.NewDirectory("daemon");
        await using var engine = new FakeDockerEngine(Path.Combine(folder, "docker.sock"));
        engine.SavedImages["docker.io/daemon/app:1"] = await SaveArchiveAsync(folder, "daemon/app:1");
        string store = _bed.NewDirectory("store");
        string unusedSocket = "unix://" + Path.Combine(folder, "absent.sock");

        var pull = await OcibuildAsync(store, unusedSocket, "pull", "--daemon-host", engine.Host, "docker-daemon:daemon/app:1");
        var push = await OcibuildAsync(store, unusedSocket, "push", "--daemon-host", engine.Host, "docker.io/daemon/app:1", "docker-daemon:daemon/copy:2");

        Assert.True(pull.ExitCode == 0, pull.ToString());
        Assert.Contains(engine.Requests, r => r.Method == "GET" && r.Target.Contains("/images/docker.io/daemon/app:1/get"));
        Assert.True(push.ExitCode == 0, push.ToString());
        Assert.Contains(engine.Requests, r => r.Method == "POST" && r.Target.Contains("/images/load"));
    }

    [Fact]
    public async Task Docker_host_variable_names_engine()
    {
        string folder = _bed.NewDirectory("daemon");
        await using var engine = new FakeDockerEngine(Path.Combine(folder, "docker.sock"));
        engine.SavedImages["docker.io/daemon/app:1"] = await SaveArchiveAsync(folder, "daemon/app:1");
        string store = _bed.NewDirectory("store");

        var from = await OcibuildAsync(store, engine.Host, "from", "docker-daemon:daemon/app:1");

        Assert.True(from.ExitCode == 0, from.ToString());
        Assert.Equal("app-working-container", from.StandardOutput.Trim());
    }

    [Fact]
    public async Task Daemon_host_other_than_unix_socket_is_rejected()
    {
        string store = _bed.NewDirectory("store");

        var pull = await _bed.OcibuildAsync(store, "pull", "--daemon-host", "tcp://127.0.0.1:1", "docker-daemon:daemon/app:1");

        Assert.Equal(1, pull.ExitCode);
        Assert.Contains("the Docker host \"tcp://127.0.0.1:1\" is not supported", pull.StandardError);
        Assert.Contains("[OCIB2104]", pull.StandardError);
    }

    [Fact]
    public async Task Pull_reads_archive_image_by_index()
    {
        string folder = _bed.NewDirectory("archive");
        string archive = Path.Combine(folder, "two.tar");
        await WriteTwoImageArchiveAsync(folder, archive);
        string store = _bed.NewDirectory("store");

        var second = await _bed.OcibuildAsync(store, "pull", $"docker-archive:{archive}:@1");
        var beyond = await _bed.OcibuildAsync(store, "pull", $"docker-archive:{archive}:@2");
        var inspect = await _bed.OcibuildAsync(store, "inspect", "--config", "localhost/two:latest");

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("\"DOTNET_VERSION=", inspect.StandardOutput);
        Assert.Equal(1, beyond.ExitCode);
        Assert.Contains("has no image @2: it contains 2 (@0 to @1)", beyond.StandardError);
    }

    [Fact]
    public async Task Commit_push_uploads_in_chunks()
    {
        string store = _bed.NewDirectory("store");
        var from = await _bed.OcibuildAsync(store, "from", "--tls-verify=false", RuntimeDepsImage);
        string container = from.StandardOutput.Trim();
        var run = await _bed.OcibuildAsync(store, "run", container, "--", "sh", "-c", "head -c 300000 /dev/urandom > /random.bin");
        string reference = $"{_bed.Registry.Address}/chunked-commit:1";

        var commit = await _bed.OcibuildAsync(store, "--debug", "commit", "--tls-verify=false", "--chunk-size", "65536", container, $"docker://{reference}");
        var manifest = await Skopeo.ManifestAsync(reference);

        Assert.True(from.ExitCode == 0, from.ToString());
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(commit.ExitCode == 0, commit.ToString());
        int patches = commit.StandardError.Split('\n').Count(line => line.StartsWith("debug: PATCH ", StringComparison.Ordinal));
        Assert.True(patches >= 4, $"expected at least 4 PATCH requests for a 300 kB layer in 64 KiB chunks, saw {patches}:\n{commit.StandardError}");
        Assert.Equal(2, manifest.GetProperty("layers").GetArrayLength());
    }

    /// <summary>Writes runtime-deps (tagged) and runtime (untagged) into one docker-archive by merging two that skopeo writes.</summary>
    private async Task WriteTwoImageArchiveAsync(string folder, string archive)
    {
        string merged = Directory.CreateDirectory(Path.Combine(folder, "merged")).FullName;
        var entries = new List<System.Text.Json.Nodes.JsonNode>();
        foreach (var (image, name) in new[] { ("dotnet/runtime-deps:10.0", "one/deps:1"), ("dotnet/runtime:10.0", "") })
        {
            string single = Path.Combine(folder, $"single-{entries.Count}.tar");
            string destination = name.Length == 0 ? $"docker-archive:{single}" : $"docker-archive:{single}:{name}";
            await ProcessRunner.RunCheckedAsync("skopeo", ["copy", "--src-tls-verify=false", $"docker://{_bed.Registry.Address}/{image}", destination]);
            string unpacked = Directory.CreateDirectory(Path.Combine(folder, $"single-{entries.Count}")).FullName;
            await ProcessRunner.RunCheckedAsync("tar", ["-xf", single, "-C", unpacked]);
            entries.AddRange(System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(unpacked, "manifest.json")))!.AsArray().Select(e => e!.DeepClone()));
            await ProcessRunner.RunCheckedAsync("cp", ["-a", "-n", unpacked + "/.", merged]);
        }

        File.WriteAllText(Path.Combine(merged, "manifest.json"), new System.Text.Json.Nodes.JsonArray([.. entries]).ToJsonString());
        await ProcessRunner.RunCheckedAsync("tar", ["-cf", archive, "-C", merged, "."]);
    }

    private async Task<byte[]> SaveArchiveAsync(string folder, string name)
    {
        string archive = Path.Combine(folder, "saved.tar");
        await ProcessRunner.RunCheckedAsync("skopeo", ["copy", "--src-tls-verify=false", $"docker://{RuntimeDepsImage}", $"docker-archive:{archive}:{name}"]);
        return await File.ReadAllBytesAsync(archive);
    }

    private Task<ProcessResult> OcibuildAsync(string store, string dockerHost, params string[] arguments)
        => ProcessRunner.RunAsync(RepositoryPaths.Ocibuild, arguments, _bed.WorkDirectory, new Dictionary<string, string?>
        {
            ["OCIBUILD_STORAGE"] = store,
            ["DOCKER_HOST"] = dockerHost,
        });
}
