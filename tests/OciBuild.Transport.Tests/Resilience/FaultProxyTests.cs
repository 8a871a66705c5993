using Microsoft.Extensions.Logging;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Tests.Shared;
using OciBuild.Transport.Registry;
using OciBuild.Transport.Tests.Integration;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Resilience;

/// <summary>Pushes and pulls through <see cref="FaultProxy"/> in front of a plain docker-registry: every push completes with the right content or fails clearly, untagged.</summary>
[Collection(PlainRegistryCollection.Name)]
public sealed class FaultProxyTests
{
    private const int ChunkSize = 64 * 1024;

    private readonly PlainRegistryFixture _registry;

    public FaultProxyTests(PlainRegistryFixture registry)
    {
        _registry = registry;
    }

    private FaultProxy Proxy(Func<System.Net.HttpListenerRequest, int, Fault?> rule) => new(_registry.Address, rule);

    private static (RegistryClient Client, TestLogger Logger) Connect(FaultProxy proxy)
    {
        var logger = new TestLogger();
        return (new RegistryClient(proxy.Address, new RegistryOptions { ChunkSize = ChunkSize, Logger = logger }), logger);
    }

    private static Task<CopyResult> PushAsync(RegistryClient client, TestLogger logger, TestImage image, string repository)
        => new ImageCopier(logger).CopyAsync(
            new MemoryImageSource(image),
            new RegistryImageDestination(client, ImageReference.Parse($"{client.Registry}/{repository}:1")),
            ["1"],
            null,
            CancellationToken.None);

    /// <summary>Checks straight at the registry that every blob and the manifest are stored whole under the tag.</summary>
    private async Task AssertStoredAsync(TestImage image, string repository)
    {
        using var direct = new RegistryTestClient(_registry, new RegistryOptions());
        var manifest = await direct.Client.GetManifestAsync(repository, "1", CancellationToken.None);
        Assert.Equal(image.Manifest.Digest, manifest.Digest);
        foreach (var layer in image.Layers)
        {
            Assert.Equal(layer.Blob, await direct.ReadBlobAsync(repository, layer.Descriptor));
        }
    }

    private async Task AssertNotTaggedAsync(string repository)
    {
        using var direct = new RegistryTestClient(_registry, new RegistryOptions());
        await Assert.ThrowsAsync<NotFoundException>(() => direct.Client.GetManifestAsync(repository, "1", CancellationToken.None));
    }

    [Fact]
    public async Task Burst_of_503_is_retried()
    {
        int failures = 0;
        using var proxy = Proxy((request, _) =>
            request.HttpMethod == "HEAD" && Interlocked.Increment(ref failures) <= 3 ? new Fault.Status(503) : null);
        var (client, logger) = Connect(proxy);
        using var _ = client;
        var image = TestImage.Create(layerCount: 1);

        await PushAsync(client, logger, image, "faults/503");

        await AssertStoredAsync(image, "faults/503");
        Assert.Equal(3, logger.Messages(LogLevel.Warning).Count(m => m.Contains("after status 503", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Retry_after_of_429_is_honored()
    {
        int failures = 0;
        using var proxy = Proxy((request, _) =>
            request.HttpMethod == "GET" && request.Url!.AbsolutePath.Contains("/manifests/", StringComparison.Ordinal) && Interlocked.Increment(ref failures) == 1
                ? new Fault.Status(429, RetryAfterSeconds: 2)
                : null);
        var (client, logger) = Connect(proxy);
        using var _ = client;
        var image = TestImage.Create(layerCount: 1);
        await PushAsync(client, logger, image, "faults/429");

        var manifest = await client.GetManifestAsync("faults/429", "1", CancellationToken.None);

        Assert.Equal(image.Manifest.Digest, manifest.Digest);
        Assert.Contains(logger.Messages(LogLevel.Warning), m => m.Contains("in 2000 ms after status 429", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Slow_responses_still_complete()
    {
        using var proxy = Proxy((request, _) => request.HttpMethod is "PUT" or "PATCH" ? new Fault.Delay(TimeSpan.FromSeconds(1)) : null);
        var (client, logger) = Connect(proxy);
        using var _ = client;
        var image = TestImage.Create(layerCount: 1, fileSize: 150 * 1024);

        await PushAsync(client, logger, image, "faults/slow");

        await AssertStoredAsync(image, "faults/slow");
    }

    [Fact]
    public async Task Dropped_chunk_resumes_from_registry_offset()
    {
        int patches = 0;
        using var proxy = Proxy((request, _) =>
            request.HttpMethod == "PATCH" && Interlocked.Increment(ref patches) == 2 ? new Fault.Drop(BodyBytes: 10_000) : null);
        var (client, logger) = Connect(proxy);
        using var _ = client;
        var image = TestImage.Create(layerCount: 1, fileSize: 200 * 1024);

        await PushAsync(client, logger, image, "faults/drop-once");

        await AssertStoredAsync(image, "faults/drop-once");
        Assert.Contains(proxy.Log, line => line.StartsWith("PATCH", StringComparison.Ordinal) && line.EndsWith("dropped", StringComparison.Ordinal));
        Assert.Contains(proxy.Log, line => line.StartsWith("GET /v2/faults/drop-once/blobs/uploads/", StringComparison.Ordinal));
        Assert.Contains(logger.Messages(LogLevel.Warning), m => m.Contains("resuming", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_chunk_dropped_fails_untagged()
    {
        using var proxy = Proxy((request, _) => request.HttpMethod == "PATCH" ? new Fault.Drop(BodyBytes: 1000) : null);
        var (client, logger) = Connect(proxy);
        using var _ = client;
        var image = TestImage.Create(layerCount: 1, fileSize: 200 * 1024);

        var error = await Assert.ThrowsAsync<OciException>(() => PushAsync(client, logger, image, "faults/drop-always"));

        Assert.Equal(ErrorCodes.RegistryError, error.Code);
        Assert.Contains($"gave up after {ChunkedUpload.MaxResumes} resumed chunks", error.Message);
        Assert.Contains(proxy.Address, error.Message);
        Assert.Equal(ChunkedUpload.MaxResumes + 1, proxy.Log.Count(line => line.StartsWith("PATCH", StringComparison.Ordinal)));
        await AssertNotTaggedAsync("faults/drop-always");
    }

    [Fact]
    public async Task Range_that_never_advances_fails()
    {
        using var proxy = Proxy((request, _) => request.HttpMethod is "PATCH" or "GET" ? new Fault.RewriteHeader("Range", "0-0") : null);
        var (client, logger) = Connect(proxy);
        using var _ = client;
        var image = TestImage.Create(layerCount: 1, fileSize: 200 * 1024);

        var error = await Assert.ThrowsAsync<OciException>(() => PushAsync(client, logger, image, "faults/range"));

        Assert.Equal(ErrorCodes.RegistryError, error.Code);
        Assert.Contains("reports 1 bytes stored", error.Message);
        Assert.Equal(ChunkedUpload.MaxResumes + 1, proxy.Log.Count(line => line.StartsWith("PATCH", StringComparison.Ordinal)));
        await AssertNotTaggedAsync("faults/range");
    }

    [Fact]
    public async Task Forward_only_source_resumes_from_spool()
    {
        int patches = 0;
        using var proxy = Proxy((request, _) =>
            request.HttpMethod == "PATCH" && Interlocked.Increment(ref patches) is 1 or 3 ? new Fault.Drop(BodyBytes: 20_000) : null);
        var (client, _) = Connect(proxy);
        using var disposable = client;
        var layer = TestImage.Create(layerCount: 1, fileSize: 200 * 1024).Layers[0];

        await client.UploadBlobAsync("faults/forward-only", layer.Descriptor, new ForwardOnlyStream(layer.Blob), CancellationToken.None);

        using var direct = new RegistryTestClient(_registry, new RegistryOptions());
        Assert.Equal(layer.Blob, await direct.ReadBlobAsync("faults/forward-only", layer.Descriptor));
        Assert.Equal(2, proxy.Log.Count(line => line.EndsWith("dropped", StringComparison.Ordinal)));
    }

    private static bool IsBlobPut(System.Net.HttpListenerRequest request)
        => request.HttpMethod == "PUT" && request.Url!.Query.Contains("digest=", StringComparison.Ordinal);

    [Fact]
    public async Task Failed_blob_put_restarts_blob()
    {
        int failures = 0;
        using var proxy = Proxy((request, _) => IsBlobPut(request) && Interlocked.Increment(ref failures) <= 2 ? new Fault.Status(503) : null);
        var (client, logger) = Connect(proxy);
        using var _ = client;
        var image = TestImage.Create(layerCount: 1);

        await PushAsync(client, logger, image, "faults/put-503");

        await AssertStoredAsync(image, "faults/put-503");
        Assert.Equal(2, logger.Messages(LogLevel.Warning).Count(m => m.Contains("starting it again", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Blob_put_always_503_fails_untagged()
    {
        using var proxy = Proxy((request, _) => IsBlobPut(request) ? new Fault.Status(503) : null);
        var (client, logger) = Connect(proxy);
        using var _ = client;
        var image = TestImage.Create(layerCount: 1);

        var error = await Assert.ThrowsAsync<RegistryException>(() => PushAsync(client, logger, image, "faults/put-503-always"));

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, error.Status);
        Assert.Contains("uploading blob", error.Message);
        // Each blob, the layer and the config, is started three times in all before the copy gives up.
        foreach (var blob in new[] { image.Layers[0].Descriptor, image.ConfigDescriptor })
        {
            string digestQuery = "digest=" + Uri.EscapeDataString(blob.Digest.ToString());
            Assert.Equal(3, proxy.Log.Count(line => line.StartsWith("PUT", StringComparison.Ordinal) && line.Contains(digestQuery, StringComparison.Ordinal)));
        }

        await AssertNotTaggedAsync("faults/put-503-always");
    }

    [Fact]
    public async Task Digest_header_disagreeing_with_bytes_fails()
    {
        const string Wrong = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
        using var proxy = Proxy((request, _) => request.HttpMethod == "GET" ? new Fault.RewriteHeader("Docker-Content-Digest", Wrong) : null);
        var (client, logger) = Connect(proxy);
        using var _ = client;
        var image = TestImage.Create(layerCount: 1);
        await PushAsync(client, logger, image, "faults/digest-header");

        var error = await Assert.ThrowsAsync<OciException>(() => client.GetManifestAsync("faults/digest-header", "1", CancellationToken.None));

        Assert.Equal(ErrorCodes.DigestMismatch, error.Code);
        Assert.Contains(Wrong, error.Message);
        Assert.Contains(image.Manifest.Digest.ToString(), error.Message);
    }

    [Fact]
    public async Task Missing_digest_header_uses_bytes()
    {
        using var proxy = Proxy((request, _) => request.HttpMethod == "GET" ? new Fault.RewriteHeader("Docker-Content-Digest", "") : null);
        var (client, logger) = Connect(proxy);
        using var _ = client;
        var image = TestImage.Create(layerCount: 1);
        await PushAsync(client, logger, image, "faults/no-digest-header");

        var manifest = await client.GetManifestAsync("faults/no-digest-header", "1", CancellationToken.None);

        Assert.Equal(image.Manifest.Digest, manifest.Digest);
    }
}
