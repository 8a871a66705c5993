using System.Text.Json;

namespace OciBuild.IntegrationTests;

/// <summary>The WebApi and SelfContained samples: published with inferred base images, then run.</summary>
[Collection(TestBedCollection.Name)]
public sealed class SampleTests
{
    private readonly TestBed _bed;

    public SampleTests(TestBed bed)
    {
        _bed = bed;
    }

    [Fact]
    public async Task WebApi_serves_health_from_container()
    {
        var publish = await _bed.PublishProjectAsync(_bed.SamplePath("WebApi"), [.. InferredBaseProperties(), "OciRepository=webapi"]);
        Assert.True(publish.ExitCode == 0, publish.ToString());
        string reference = $"{_bed.Registry.Address}/webapi:latest";
        var labels = Skopeo.Labels(await Skopeo.ConfigAsync(reference));
        Assert.Equal($"{_bed.Registry.Address}/dotnet/aspnet:10.0", labels["org.opencontainers.image.base.name"]);

        string store = _bed.NewDirectory("store");
        var from = await _bed.OcibuildAsync(store, "from", "--tls-verify=false", reference);
        Assert.True(from.ExitCode == 0, from.ToString());

        // The server and the client run in one container on its private loopback network: busybox
        // wget polls /health until the server responds, or stops when the server has exited.
        const string script = """
            /app/WebApi > /tmp/server.log 2>&1 &
            server=$!
            until body=$(wget -qO- http://127.0.0.1:8080/health 2>/dev/null); do
                kill -0 $server 2>/dev/null || { echo "server exited:"; cat /tmp/server.log; exit 1; }
                sleep 0.2
            done
            echo "$body"
            kill $server
            """;
        var run = await _bed.OcibuildAsync(store, "run", from.StandardOutput.Trim(), "--", "sh", "-c", script);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("healthy", run.StandardOutput.Trim());
    }

    [Fact]
    public async Task SelfContained_runs_on_runtime_deps()
    {
        var publish = await _bed.PublishProjectAsync(_bed.SamplePath("SelfContained"), [.. InferredBaseProperties(), "OciRepository=selfcontained"]);
        Assert.True(publish.ExitCode == 0, publish.ToString());
        string reference = $"{_bed.Registry.Address}/selfcontained:latest";
        var labels = Skopeo.Labels(await Skopeo.ConfigAsync(reference));

        string store = _bed.NewDirectory("store");
        var from = await _bed.OcibuildAsync(store, "from", "--tls-verify=false", reference);
        Assert.True(from.ExitCode == 0, from.ToString());
        var run = await _bed.OcibuildAsync(store, "run", from.StandardOutput.Trim());
        var noDotnet = await _bed.OcibuildAsync(store, "run", from.StandardOutput.Trim(), "--", "sh", "-c", "test -e /usr/share/dotnet");

        Assert.Equal($"{_bed.Registry.Address}/dotnet/runtime-deps:10.0", labels["org.opencontainers.image.base.name"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("SelfContained runs .NET 10.0", run.StandardOutput);
        Assert.Contains("from /app", run.StandardOutput);
        Assert.Equal(1, noDotnet.ExitCode);
    }

    [Fact]
    public async Task SelfContained_runtime_layer_is_gzip_members()
    {
        var publish = await _bed.PublishProjectAsync(_bed.SamplePath("SelfContained"), [.. InferredBaseProperties(), "OciRepository=selfcontained-members"]);
        Assert.True(publish.ExitCode == 0, publish.ToString());
        string layout = Path.Combine(_bed.NewDirectory("layout"), "oci");
        string bundle = Path.Combine(_bed.NewDirectory("bundle"), "b");

        // skopeo copy checks every blob against its digest before umoci unpacks the layers.
        await ProcessRunner.RunCheckedAsync("skopeo", ["copy", "--src-tls-verify=false", $"docker://{_bed.Registry.Address}/selfcontained-members:latest", $"oci:{layout}:latest"]);
        await ProcessRunner.RunCheckedAsync("umoci", ["unpack", "--image", $"{layout}:latest", bundle]);
        string runtimeLayer = LargestLayerBlob(layout);

        // Python's zlib reads one member at a time, so it shows where each member ends in the tar.
        const string listMembers = """
            import sys, zlib
            data = open(sys.argv[1], "rb").read()
            while data:
                member = zlib.decompressobj(31)
                print(len(member.decompress(data)))
                if not member.eof:
                    sys.exit("the last gzip member is truncated")
                data = member.unused_data
            """;
        var members = await ProcessRunner.RunCheckedAsync("python3", ["-c", listMembers, runtimeLayer]);
        long[] memberSizes = members.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray();

        string rootfs = Path.Combine(bundle, "rootfs", "app");
        Assert.True(File.Exists(Path.Combine(rootfs, "SelfContained")), "the apphost is missing");
        Assert.True(File.GetUnixFileMode(Path.Combine(rootfs, "SelfContained")).HasFlag(UnixFileMode.UserExecute), "the apphost lost its execute bit");
        Assert.True(File.Exists(Path.Combine(rootfs, "libcoreclr.so")), "the runtime layer's libcoreclr.so is missing");
        Assert.True(memberSizes.Length > 16, $"the runtime layer has {memberSizes.Length} gzip members");
        Assert.All(memberSizes[..^1], size => Assert.Equal(1 << 20, size));
        Assert.InRange(memberSizes[^1], 1, 1 << 20);
    }

    /// <summary>Returns the path of the largest layer blob of the image tagged in the OCI layout at <paramref name="layout"/>.</summary>
    private static string LargestLayerBlob(string layout)
    {
        string BlobPath(string digest) => Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);

        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(layout, "index.json")));
        string manifestDigest = index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString()!;
        using var manifest = JsonDocument.Parse(File.ReadAllText(BlobPath(manifestDigest)));
        var largest = manifest.RootElement.GetProperty("layers").EnumerateArray().MaxBy(layer => layer.GetProperty("size").GetInt64());
        return BlobPath(largest.GetProperty("digest").GetString()!);
    }

    // OciBaseRegistry points the inferred mcr.microsoft.com names at the test registry.
    private string[] InferredBaseProperties() =>
    [
        $"OciRegistry={_bed.Registry.Address}",
        "OciTlsVerify=false",
        $"OciBaseRegistry={_bed.Registry.Address}",
    ];
}
