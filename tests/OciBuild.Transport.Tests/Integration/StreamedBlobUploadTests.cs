using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Tests.Shared;
using OciBuild.Transport.Registry;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Integration;

/// <summary>
/// <see cref="StreamedBlobUpload"/> against Debian's docker-registry: one PATCH without a length, then a
/// commit that the registry checks against the digest, or a cancel that leaves nothing behind.
/// </summary>
[Collection(PlainRegistryCollection.Name)]
public sealed class StreamedBlobUploadTests
{
    private readonly PlainRegistryFixture _registry;

    public StreamedBlobUploadTests(PlainRegistryFixture registry)
    {
        _registry = registry;
    }

    [Fact]
    public async Task Streamed_patch_commits_blob()
    {
        byte[] content = RandomBytes(3 << 20, seed: 1);
        string? transferEncoding = null;
        long contentLength = 0;
        using var proxy = new FaultProxy(_registry.Address, (request, _) =>
        {
            if (request.HttpMethod == "PATCH")
            {
                transferEncoding = request.Headers["Transfer-Encoding"];
                contentLength = request.ContentLength64;
            }

            return null;
        });
        using var client = new RegistryClient(proxy.Address, new RegistryOptions { Logger = new TestLogger() });

        var upload = await StreamedBlobUpload.StartAsync(client, "streamed/commit", CancellationToken.None);
        long stored = await upload.SendAsync(new ForwardOnlyStream(content), CancellationToken.None);
        await upload.CommitAsync(Digest.Compute(content), CancellationToken.None);

        Assert.Equal(content.Length, stored);
        Assert.Equal("chunked", transferEncoding);
        // HttpListener reports -1 for a request without Content-Length.
        Assert.Equal(-1, contentLength);
        using var direct = Connect();
        var descriptor = new Descriptor { MediaType = MediaTypes.OciLayerGzip, Digest = Digest.Compute(content), Size = content.Length };
        Assert.Equal(content, await direct.ReadBlobAsync("streamed/commit", descriptor));
    }

    [Fact]
    public async Task Wrong_digest_is_rejected()
    {
        byte[] content = RandomBytes(100_000, seed: 2);
        var wrongDigest = Digest.Compute(RandomBytes(100_000, seed: 3));
        using var direct = Connect();

        var upload = await StreamedBlobUpload.StartAsync(direct.Client, "streamed/wrong", CancellationToken.None);
        await upload.SendAsync(new ForwardOnlyStream(content), CancellationToken.None);
        var error = await Assert.ThrowsAsync<RegistryException>(() => upload.CommitAsync(wrongDigest, CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.Status);
        Assert.False(await direct.Client.HasBlobAsync("streamed/wrong", wrongDigest, CancellationToken.None));
        Assert.False(await direct.Client.HasBlobAsync("streamed/wrong", Digest.Compute(content), CancellationToken.None));
    }

    [Fact]
    public async Task Cancel_deletes_session()
    {
        byte[] content = RandomBytes(100_000, seed: 4);
        using var direct = Connect();

        var upload = await StreamedBlobUpload.StartAsync(direct.Client, "streamed/cancel", CancellationToken.None);
        await upload.SendAsync(new ForwardOnlyStream(content), CancellationToken.None);
        await upload.CancelAsync(direct.Logger, CancellationToken.None);

        var error = await Assert.ThrowsAsync<RegistryException>(() => upload.CommitAsync(Digest.Compute(content), CancellationToken.None));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.Status);
        Assert.False(await direct.Client.HasBlobAsync("streamed/cancel", Digest.Compute(content), CancellationToken.None));
        Assert.DoesNotContain("cancelling an upload session", direct.Logger.AllText);
    }

    [Fact]
    public async Task Failing_content_fails_send()
    {
        using var direct = Connect();

        var upload = await StreamedBlobUpload.StartAsync(direct.Client, "streamed/failing", CancellationToken.None);
        var error = await Assert.ThrowsAsync<OciException>(() => upload.SendAsync(new FailingStream(RandomBytes(300_000, seed: 5)), CancellationToken.None));
        await upload.CancelAsync(direct.Logger, CancellationToken.None);

        var causes = new List<Exception>();
        for (var cause = error.InnerException; cause is not null; cause = cause.InnerException)
        {
            causes.Add(cause);
        }

        Assert.Contains(causes, cause => cause is IOException && cause.Message == "the layer build failed");
        Assert.DoesNotContain("cancelling an upload session", direct.Logger.AllText);
    }

    private RegistryTestClient Connect() => new(_registry, new RegistryOptions { TlsVerify = false });

    private static byte[] RandomBytes(int count, int seed)
    {
        byte[] bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Returns its content, then fails as a layer build that stops part way would.</summary>
    private sealed class FailingStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => Position < Length ? base.ReadAsync(buffer, cancellationToken) : throw new IOException("the layer build failed");
    }
}
