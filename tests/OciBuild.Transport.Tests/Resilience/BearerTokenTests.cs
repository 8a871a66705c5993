using System.Text;
using OciBuild.Core.Errors;
using OciBuild.Transport.Registry;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Resilience;

/// <summary>The Bearer token flow against <see cref="FakeTokenRegistry"/>, an in-process fake because docker-registry's token auth needs a signing certificate set up.</summary>
public sealed class BearerTokenTests : IDisposable
{
    private const string User = "token-user";
    private const string Password = "token-pass-W3";

    private readonly TestImage _image = TestImage.Create(layerCount: 1);
    private readonly FakeTokenRegistry _registry;
    private readonly TestLogger _logger = new();

    public BearerTokenTests()
    {
        _registry = new FakeTokenRegistry(
            _image.Manifest.Bytes,
            _image.Manifest.MediaType,
            _image.Blobs.ToDictionary(pair => pair.Key.ToString(), pair => pair.Value),
            (User, Password));
    }

    public void Dispose() => _registry.Dispose();

    private RegistryClient Connect(RegistryCredentials? credentials)
        => new(_registry.Address, new RegistryOptions { Credentials = credentials, Logger = _logger });

    private static string BasicValue(string user, string password) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    [Fact]
    public async Task Anonymous_token_reads_manifest()
    {
        using var client = Connect(credentials: null);

        var manifest = await client.GetManifestAsync("team/app", "1", CancellationToken.None);

        Assert.Equal(_image.Manifest.Digest, manifest.Digest);
        var (scope, authorization) = Assert.Single(_registry.TokenRequests);
        Assert.Equal("repository:team/app:pull", scope);
        Assert.Null(authorization);
    }

    [Fact]
    public async Task Credentials_go_to_token_service_only()
    {
        using var client = Connect(new RegistryCredentials(User, Password));

        await client.GetManifestAsync("team/app", "1", CancellationToken.None);

        Assert.Equal(BasicValue(User, Password), Assert.Single(_registry.TokenRequests).Authorization);
        Assert.All(_registry.RegistryAuthorizations, header => Assert.False(header?.StartsWith("Basic", StringComparison.Ordinal) ?? false));
        Assert.Contains(_registry.RegistryAuthorizations, header => header?.StartsWith("Bearer ", StringComparison.Ordinal) ?? false);
    }

    [Fact]
    public async Task Token_is_reused_for_same_scope()
    {
        using var client = Connect(new RegistryCredentials(User, Password));

        await client.GetManifestAsync("team/app", "1", CancellationToken.None);
        await client.GetManifestAsync("team/app", "2", CancellationToken.None);

        Assert.Single(_registry.TokenRequests);
        Assert.Single(_registry.IssuedTokens);
    }

    [Fact]
    public async Task New_scope_gets_fresh_token()
    {
        using var client = Connect(new RegistryCredentials(User, Password));

        await client.GetManifestAsync("team/app", "1", CancellationToken.None);
        await client.GetManifestAsync("team/other", "1", CancellationToken.None);

        Assert.Equal(["repository:team/app:pull", "repository:team/other:pull"], _registry.TokenRequests.Select(r => r.Scope));
    }

    [Fact]
    public async Task Expired_token_is_renewed()
    {
        // Tokens are renewed ten seconds before they expire, so a ten-second token is stale at once.
        _registry.TokenLifetimeSeconds = 10;
        using var client = Connect(new RegistryCredentials(User, Password));

        await client.GetManifestAsync("team/app", "1", CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await client.GetManifestAsync("team/app", "1", CancellationToken.None);

        Assert.Equal(2, _registry.TokenRequests.Count);
    }

    [Fact]
    public async Task Wrong_password_names_user_at_token_service()
    {
        using var client = Connect(new RegistryCredentials(User, "wrong-pass-T1"));

        var error = await Assert.ThrowsAsync<OciException>(() => client.GetManifestAsync("team/app", "1", CancellationToken.None));

        Assert.Equal(ErrorCodes.RegistryUnauthorized, error.Code);
        Assert.Contains($"user \"{User}\"", error.Message);
        Assert.Contains(_registry.Address, error.Message);
        Assert.DoesNotContain("wrong-pass-T1", error.ToString());
    }

    [Fact]
    public async Task Redirect_to_storage_drops_authorization()
    {
        using var client = Connect(new RegistryCredentials(User, Password));
        var layer = _image.Layers[0];

        await using var stream = await client.OpenBlobAsync("team/app", layer.Descriptor, CancellationToken.None);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);

        Assert.Equal(layer.Blob, buffer.ToArray());
        Assert.Null(Assert.Single(_registry.StorageAuthorizations));
    }

    [Fact]
    public async Task Debug_log_holds_no_secrets()
    {
        using var client = Connect(new RegistryCredentials(User, Password));
        await client.GetManifestAsync("team/app", "1", CancellationToken.None);
        await using (var stream = await client.OpenBlobAsync("team/app", _image.Layers[0].Descriptor, CancellationToken.None))
        {
            await stream.CopyToAsync(Stream.Null);
        }

        string log = _logger.AllText;
        Assert.Contains("GET http://" + _registry.Address + "/v2/team/app/manifests/1", log);
        Assert.DoesNotContain(Password, log);
        Assert.DoesNotContain(BasicValue(User, Password)["Basic ".Length..], log);
        Assert.DoesNotContain("Bearer ", log);
        Assert.NotEmpty(_registry.IssuedTokens);
        foreach (string token in _registry.IssuedTokens)
        {
            Assert.DoesNotContain(token, log);
        }
    }
}
