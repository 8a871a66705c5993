using System.Net;
using OciBuild.Tests.Shared;

namespace OciBuild.IntegrationTests;

/// <summary>
/// <c>dotnet publish</c> through <see cref="FaultProxy"/> in front of the test bed's registry: the publish
/// either pushes the right content, as skopeo reads it back with digest checks, or fails with a coded
/// error and leaves no tag on half-written content.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class FaultPublishTests
{
    private readonly TestBed _bed;

    public FaultPublishTests(TestBed bed)
    {
        _bed = bed;
    }

    [Fact]
    public async Task Burst_of_503_is_retried()
    {
        int failures = 0;
        using var proxy = new FaultProxy(_bed.Registry.Address, (request, _) =>
            request.HttpMethod == "HEAD" && Interlocked.Increment(ref failures) <= 3 ? new Fault.Status(503) : null);

        var publish = await PublishAsync(proxy, "faults/503");

        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Equal(3, proxy.Log.Count(line => line.EndsWith("-> 503", StringComparison.Ordinal)));
        await AssertPushedWholeAsync(publish, "faults/503");
    }

    [Fact]
    public async Task Retry_after_of_429_is_honored()
    {
        int failures = 0;
        using var proxy = new FaultProxy(_bed.Registry.Address, (request, _) =>
            request.HttpMethod == "PUT" && IsManifest(request) && Interlocked.Increment(ref failures) == 1 ? new Fault.Status(429, RetryAfterSeconds: 1) : null);

        var publish = await PublishAsync(proxy, "faults/429");

        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Contains(proxy.Log, line => line.StartsWith("PUT /v2/faults/429/manifests/", StringComparison.Ordinal) && line.EndsWith("-> 429", StringComparison.Ordinal));
        Assert.Contains("after status 429", publish.StandardOutput);
        await AssertPushedWholeAsync(publish, "faults/429");
    }

    [Fact]
    public async Task Dropped_blob_upload_starts_again()
    {
        int drops = 0;
        using var proxy = new FaultProxy(_bed.Registry.Address, (request, _) =>
            IsBlobUpload(request) && Interlocked.Increment(ref drops) == 1 ? new Fault.Drop(BodyBytes: 4096) : null);

        var publish = await PublishAsync(proxy, "faults/drop-once");

        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Contains(proxy.Log, line => line.EndsWith("-> dropped", StringComparison.Ordinal));
        await AssertPushedWholeAsync(publish, "faults/drop-once");
    }

    [Fact]
    public async Task Dropped_uploads_leave_no_tag()
    {
        using var proxy = new FaultProxy(_bed.Registry.Address, (request, _) => IsBlobUpload(request) ? new Fault.Drop(BodyBytes: 4096) : null);

        var publish = await PublishAsync(proxy, "faults/drop-always");

        Assert.NotEqual(0, publish.ExitCode);
        Assert.Contains("error OCIB3002", publish.StandardOutput);
        Assert.DoesNotContain(proxy.Log, line => line.StartsWith("PUT /v2/faults/drop-always/manifests/", StringComparison.Ordinal));
        var inspect = await ProcessRunner.RunAsync("skopeo", ["inspect", "--tls-verify=false", $"docker://{_bed.Registry.Address}/faults/drop-always:latest"]);
        Assert.NotEqual(0, inspect.ExitCode);
    }

    private static bool IsManifest(HttpListenerRequest request) => request.Url!.AbsolutePath.Contains("/manifests/", StringComparison.Ordinal);

    // A PATCH carries a chunk, and the PUT that ends an upload carries the rest of the blob, if any.
    private static bool IsBlobUpload(HttpListenerRequest request)
        => request.Url!.AbsolutePath.Contains("/blobs/uploads/", StringComparison.Ordinal)
           && (request.HttpMethod == "PATCH" || (request.HttpMethod == "PUT" && request.HasEntityBody));

    // The base image is read through the proxy too, so that its layers are mounted within one registry
    // and only the app's layers and the config travel through the faults.
    private Task<ProcessResult> PublishAsync(FaultProxy proxy, string repository)
        => _bed.PublishAsync(
        [
            $"OciRegistry={proxy.Address}",
            $"OciBaseImage={proxy.Address}/dotnet/runtime:10.0",
            $"OciRepository={repository}",
        ]);

    /// <summary>
    /// Checks straight at the registry that the tag names the digest the publish reported, and that
    /// skopeo can copy the image out, which verifies every blob against its digest.
    /// </summary>
    private async Task AssertPushedWholeAsync(ProcessResult publish, string repository)
    {
        string reference = $"{_bed.Registry.Address}/{repository}:latest";
        Assert.Equal(PublishOutput.ManifestDigest(publish), await Skopeo.DigestAsync(reference));

        string layout = Path.Combine(_bed.NewDirectory("fault-copy"), "oci");
        await ProcessRunner.RunCheckedAsync("skopeo", ["copy", "--src-tls-verify=false", $"docker://{reference}", $"oci:{layout}:latest"]);
        var manifest = await Skopeo.ManifestAsync(reference);
        Assert.Equal(3, manifest.GetProperty("layers").GetArrayLength());
    }
}
