using Microsoft.Extensions.Logging;
using OciBuild.Core.Errors;
using OciBuild.Storage;
using OciBuild.Transport.Registry;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Integration;

[Collection(TlsRegistryCollection.Name)]
public sealed class TlsRegistryTests : IDisposable
{
    private readonly TlsRegistryFixture _registry;
    private readonly TempDirectory _temp = new();

    public TlsRegistryTests(TlsRegistryFixture registry)
    {
        _registry = registry;
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Push_without_verification_uses_https()
    {
        using var client = new RegistryTestClient(_registry, new RegistryOptions { TlsVerify = false });
        var image = TestImage.Create();

        await client.PushAsync(image, "tls/push", "1");

        var requests = client.Logger.Messages(LogLevel.Debug).Where(m => m.Contains($"{_registry.Address}/v2/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(requests);
        Assert.All(requests, m => Assert.Contains($"https://{_registry.Address}/", m));
    }

    [Fact]
    public async Task Pushed_image_matches_skopeo_inspect()
    {
        using var client = new RegistryTestClient(_registry, new RegistryOptions { TlsVerify = false });
        var image = TestImage.Create(layerCount: 2);
        await client.PushAsync(image, "tls/skopeo", "1");

        // skopeo checks the certificate against the registry's CA, so this also proves the push went over TLS.
        var inspected = await Skopeo.InspectAsync("--cert-dir", _registry.Directory, $"docker://{_registry.Address}/tls/skopeo:1");

        Assert.Equal(image.Manifest.Digest.ToString(), inspected.Digest);
        Assert.Equal(image.Layers.Select(l => l.Descriptor.Digest.ToString()), inspected.Layers);
    }

    [Fact]
    public async Task Pull_without_verification_stores_image()
    {
        using var client = new RegistryTestClient(_registry, new RegistryOptions { TlsVerify = false });
        var image = TestImage.Create();
        await client.PushAsync(image, "tls/pull", "1");
        var store = new LocalImageStore(Path.Combine(_temp.Path, "store"));

        var stored = await client.PullAsync(store, "tls/pull", "1");

        Assert.Equal(image.Manifest.Digest, stored.Manifest.Digest);
        Assert.Equal(image.Layers[1].Blob, await store.Blobs.ReadAllAsync(image.Layers[1].Descriptor.Digest, CancellationToken.None));
    }

    [Fact]
    public async Task Verification_rejects_untrusted_certificate()
    {
        using var client = new RegistryTestClient(_registry, new RegistryOptions { TlsVerify = true });

        var error = await Assert.ThrowsAsync<OciException>(
            () => client.Client.GetManifestAsync("tls/verified", "1", CancellationToken.None));

        Assert.Equal(ErrorCodes.TlsFailure, error.Code);
        Assert.Contains($"registry {_registry.Address}", error.Message);
        Assert.Contains("--tls-verify=false", error.Message);
    }

    [Fact]
    public async Task Verification_failure_stops_push()
    {
        using var client = new RegistryTestClient(_registry, new RegistryOptions { TlsVerify = true });

        var error = await Assert.ThrowsAsync<OciException>(() => client.PushAsync(TestImage.Create(), "tls/verified-push", "1"));

        Assert.Equal(ErrorCodes.TlsFailure, error.Code);
        Assert.Contains("--tls-verify=false", error.Message);
    }
}
