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

    // OciBaseRegistry points the inferred mcr.microsoft.com names at the test registry.
    private string[] InferredBaseProperties() =>
    [
        $"OciRegistry={_bed.Registry.Address}",
        "OciTlsVerify=false",
        $"OciBaseRegistry={_bed.Registry.Address}",
    ];
}
