using Microsoft.Extensions.Logging;
using OciBuild.Transport.Registry;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Integration;

[Collection(PlainRegistryCollection.Name)]
public sealed class LoopbackFallbackTests
{
    private readonly PlainRegistryFixture _registry;

    public LoopbackFallbackTests(PlainRegistryFixture registry)
    {
        _registry = registry;
    }

    [Fact]
    public async Task Verified_push_to_loopback_falls_back_to_http()
    {
        using var client = new RegistryTestClient(_registry, new RegistryOptions { TlsVerify = true });
        var image = TestImage.Create();

        await client.PushAsync(image, "loopback/push", "1");

        var manifest = await client.Client.GetManifestAsync("loopback/push", "1", CancellationToken.None);
        Assert.Equal(image.Manifest.Digest, manifest.Digest);
        Assert.Contains(client.Logger.Messages(LogLevel.Information), m => m.Contains($"registry {_registry.Address} does not support TLS", StringComparison.Ordinal));
        Assert.Contains(client.Logger.Messages(LogLevel.Debug), m => m.Contains($"http://{_registry.Address}/v2/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("localhost:5000", true)]
    [InlineData("localhost", true)]
    [InlineData("127.0.0.1:5000", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("[::1]:5000", true)]
    [InlineData("10.0.0.1:5000", false)]
    [InlineData("registry.example.com", false)]
    [InlineData("localhost.example.com:5000", false)]
    public void IsLoopback_recognizes_loopback_names(string registry, bool expected)
    {
        Assert.Equal(expected, RegistryClient.IsLoopback(registry));
    }
}
