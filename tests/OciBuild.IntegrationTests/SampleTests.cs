using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

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
        int port = FreeLoopbackPort();

        // The host network lets this test reach the server. A free port, not the image's 8080, keeps
        // parallel test runs apart.
        using var run = StartOcibuild(store, "run", "--network", "host", "-e", $"ASPNETCORE_HTTP_PORTS={port}", from.StandardOutput.Trim());
        try
        {
            string? body = await GetUntilServerAnswersAsync(new Uri($"http://127.0.0.1:{port}/health"), run);

            if (body is null)
            {
                // Only read standard error once the container has exited: before that it never ends.
                Assert.Fail($"the container exited with {run.ExitCode} before it responded: {await run.StandardError.ReadToEndAsync()}");
            }

            Assert.Equal("healthy", body);
        }
        finally
        {
            await StopAsync(run);
        }
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

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Process StartOcibuild(string storeRoot, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(RepositoryPaths.Ocibuild)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["OCIBUILD_STORAGE"] = storeRoot;
        return Process.Start(startInfo) ?? throw new InvalidOperationException("could not start ocibuild run");
    }

    /// <summary>Polls until the server responds, and returns null once the container has exited instead.</summary>
    private static async Task<string?> GetUntilServerAnswersAsync(Uri uri, Process container)
    {
        using var client = new HttpClient();
        while (!container.HasExited)
        {
            try
            {
                return await client.GetStringAsync(uri);
            }
            catch (HttpRequestException)
            {
                // The server is still starting.
                await Task.Delay(200);
            }
        }

        return null;
    }

    // ocibuild run turns SIGINT into a clean runc shutdown, as Ctrl+C does.
    private static async Task StopAsync(Process run)
    {
        if (!run.HasExited)
        {
            await ProcessRunner.RunAsync("kill", ["-INT", run.Id.ToString()]);
        }

        await run.WaitForExitAsync();
    }
}
