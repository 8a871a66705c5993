using System.Text;
using OciBuild.Core.Errors;
using OciBuild.Storage;
using OciBuild.Transport.Registry;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Integration;

[Collection(AuthRegistryCollection.Name)]
public sealed class AuthRegistryTests : IDisposable
{
    private const string WrongPassword = "wrong-secret-Q7";

    private readonly AuthRegistryFixture _registry;
    private readonly TempDirectory _temp = new();

    public AuthRegistryTests(AuthRegistryFixture registry)
    {
        _registry = registry;
    }

    public void Dispose() => _temp.Dispose();

    private RegistryTestClient Connect(RegistryCredentials? credentials)
        => new(_registry, new RegistryOptions { TlsVerify = false, Credentials = credentials });

    /// <summary>The strings that would reveal a password: the password itself and the Basic header value made from it.</summary>
    private static string[] SecretForms(string password)
        => [password, Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AuthRegistryFixture.UserName}:{password}"))];

    [Fact]
    public async Task Push_with_credentials_matches_skopeo_inspect()
    {
        using var client = Connect(AuthRegistryFixture.Credentials);
        var image = TestImage.Create();

        await client.PushAsync(image, "auth/push", "1");

        var inspected = await Skopeo.InspectAsync(
            "--tls-verify=false", "--creds", $"{AuthRegistryFixture.UserName}:{AuthRegistryFixture.Password}", $"docker://{_registry.Address}/auth/push:1");
        Assert.Equal(image.Manifest.Digest.ToString(), inspected.Digest);
    }

    [Fact]
    public async Task Identity_token_for_basic_auth_fails()
    {
        const string token = "refresh-basic-5c";
        using var client = Connect(new RegistryCredentials(RegistryCredentials.IdentityTokenUserName, token) { Source = "test auth file" });

        var error = await Assert.ThrowsAsync<OciException>(() => client.PushAsync(TestImage.Create(), "auth/identity", "1"));

        Assert.Equal(ErrorCodes.IdentityTokenNotAccepted, error.Code);
        Assert.Contains($"registry {_registry.Address}", error.Message);
        Assert.Contains("test auth file", error.Message);
        Assert.DoesNotContain(token, error.Message);
    }

    [Fact]
    public async Task Pull_with_credentials_stores_image()
    {
        using var client = Connect(AuthRegistryFixture.Credentials);
        var image = TestImage.Create(layerCount: 2);
        await client.PushAsync(image, "auth/pull", "1");
        var store = new LocalImageStore(Path.Combine(_temp.Path, "store"));

        var stored = await client.PullAsync(store, "auth/pull", "1");

        Assert.Equal(image.Manifest.Digest, stored.Manifest.Digest);
        foreach (var (digest, content) in image.Blobs)
        {
            Assert.Equal(content, await store.Blobs.ReadAllAsync(digest, CancellationToken.None));
        }
    }

    [Fact]
    public async Task Chunked_push_with_credentials_succeeds()
    {
        using var client = new RegistryTestClient(_registry, new RegistryOptions { TlsVerify = false, Credentials = AuthRegistryFixture.Credentials, ChunkSize = 64 * 1024 });
        var image = TestImage.Create(layerCount: 1, fileSize: 200 * 1024);

        await client.PushAsync(image, "auth/chunked", "1");

        var manifest = await client.Client.GetManifestAsync("auth/chunked", "1", CancellationToken.None);
        Assert.Equal(image.Manifest.Digest, manifest.Digest);
    }

    [Fact]
    public async Task Wrong_password_raises_unauthorized()
    {
        using var client = Connect(new RegistryCredentials(AuthRegistryFixture.UserName, WrongPassword));

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.PushAsync(TestImage.Create(), "auth/wrong-password", "1"));

        Assert.Equal(ErrorCodes.RegistryUnauthorized, error.Code);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, error.Status);
        Assert.Contains(_registry.Address, error.Message);
        Assert.Contains("check the credentials", error.Message);
    }

    [Fact]
    public async Task Wrong_password_never_appears_in_output()
    {
        using var client = Connect(new RegistryCredentials(AuthRegistryFixture.UserName, WrongPassword));

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.PushAsync(TestImage.Create(), "auth/wrong-password", "1"));

        Assert.NotEmpty(client.Logger.Entries);
        foreach (string secret in SecretForms(WrongPassword))
        {
            Assert.DoesNotContain(secret, error.ToString());
            Assert.DoesNotContain(secret, client.Logger.AllText);
        }
    }

    [Fact]
    public async Task Password_never_appears_in_logs()
    {
        using var client = Connect(AuthRegistryFixture.Credentials);

        await client.PushAsync(TestImage.Create(), "auth/log", "1");

        Assert.NotEmpty(client.Logger.Entries);
        foreach (string secret in SecretForms(AuthRegistryFixture.Password))
        {
            Assert.DoesNotContain(secret, client.Logger.AllText);
        }
    }

    [Fact]
    public async Task Missing_credentials_raise_unauthorized()
    {
        using var client = Connect(credentials: null);

        var error = await Assert.ThrowsAsync<RegistryException>(
            () => client.Client.GetManifestAsync("auth/anonymous", "1", CancellationToken.None));

        Assert.Equal(ErrorCodes.RegistryUnauthorized, error.Code);
        Assert.Contains(_registry.Address, error.Message);
        Assert.Contains("401", error.Message);
        Assert.Contains("no credentials", error.Message);
    }
}
