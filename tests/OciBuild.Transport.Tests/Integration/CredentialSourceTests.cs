using System.Text;
using OciBuild.Core.Errors;
using OciBuild.Transport.Configuration;
using OciBuild.Transport.Registry;
using OciBuild.Transport.Tests.Credentials;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Integration;

/// <summary>Each place credentials can come from, against a TLS registry with basic authentication: right, wrong and missing.</summary>
[Collection(TlsAuthRegistryCollection.Name)]
public sealed class CredentialSourceTests : IDisposable
{
    private const string WrongPassword = "wrong-pass-Z9";

    private readonly TlsAuthRegistryFixture _registry;
    private readonly FakeUserEnvironment _user = new();

    public CredentialSourceTests(TlsAuthRegistryFixture registry)
    {
        _registry = registry;
    }

    public void Dispose() => _user.Dispose();

    private static readonly string[] SourceNames =
    [
        "explicit",
        "environment",
        "registry environment",
        "REGISTRY_AUTH_FILE",
        "XDG_RUNTIME_DIR auth.json",
        "config auth.json",
        "docker auths",
        "docker credHelpers",
        "docker credsStore",
    ];

    public static TheoryData<string> Sources => new(SourceNames);

    /// <summary>Stores <paramref name="password"/> for <paramref name="registry"/> in <paramref name="source"/>; returns explicit credentials for "explicit".</summary>
    private RegistryCredentials? Configure(string source, string registry, string password)
    {
        string user = TlsAuthRegistryFixture.UserName;
        switch (source)
        {
            case "explicit":
                return new RegistryCredentials(user, password);
            case "environment":
                _user.Variables["OCIBUILD_REGISTRY_USERNAME"] = user;
                _user.Variables["OCIBUILD_REGISTRY_PASSWORD"] = password;
                break;
            case "registry environment":
                string part = Transport.Credentials.EnvironmentCredentials.VariablePart(registry);
                _user.Variables[$"OCIBUILD_REGISTRY_{part}_USERNAME"] = user;
                _user.Variables[$"OCIBUILD_REGISTRY_{part}_PASSWORD"] = password;
                break;
            case "REGISTRY_AUTH_FILE":
                string file = Path.Combine(_user.Root, "explicit-auth.json");
                _user.Variables["REGISTRY_AUTH_FILE"] = file;
                FakeUserEnvironment.WriteAuthFile(file, registry, user, password);
                break;
            case "XDG_RUNTIME_DIR auth.json":
                string runtime = Path.Combine(_user.Root, "run");
                _user.Variables["XDG_RUNTIME_DIR"] = runtime;
                FakeUserEnvironment.WriteAuthFile(Path.Combine(runtime, "containers", "auth.json"), registry, user, password);
                break;
            case "config auth.json":
                FakeUserEnvironment.WriteAuthFile(_user.ContainersAuthFile, registry, user, password);
                break;
            case "docker auths":
                FakeUserEnvironment.WriteAuthFile(_user.DockerConfigFile, "https://" + registry, user, password);
                break;
            case "docker credHelpers":
                _user.WriteCredentialHelper("fake", registry, user, password);
                WriteDockerConfig("{\"credHelpers\": {\"" + registry + "\": \"fake\"}}");
                break;
            case "docker credsStore":
                _user.WriteCredentialHelper("store", registry, user, password);
                WriteDockerConfig("""{"credsStore": "store"}""");
                break;
            default:
                throw new ArgumentException(source);
        }

        return null;
    }

    private void WriteDockerConfig(string json)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_user.DockerConfigFile)!);
        File.WriteAllText(_user.DockerConfigFile, json);
    }

    private RegistryTestClient Connect(RegistryCredentials? explicitCredentials)
    {
        var factory = new RegistryOptionsFactory(_user.Environment, RegistriesConfiguration.Empty)
        {
            Credentials = explicitCredentials,
            CertificateDirectory = _registry.Directory,
        };
        return new RegistryTestClient(_registry, factory.Create(_registry.Address));
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task Right_password_pushes(string source)
    {
        var explicitCredentials = Configure(source, _registry.Address, TlsAuthRegistryFixture.Password);
        using var client = Connect(explicitCredentials);
        var image = TestImage.Create();

        await client.PushAsync(image, "sources/right", source.Replace(' ', '-').Replace('.', '-').ToLowerInvariant());

        await client.Client.CheckCredentialsAsync(CancellationToken.None);
        Assert.DoesNotContain(TlsAuthRegistryFixture.Password, client.Logger.AllText);
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task Wrong_password_names_user_not_password(string source)
    {
        var explicitCredentials = Configure(source, _registry.Address, WrongPassword);
        using var client = Connect(explicitCredentials);

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.PushAsync(TestImage.Create(), "sources/wrong", "1"));
        var loginError = await Assert.ThrowsAsync<RegistryException>(() => client.Client.CheckCredentialsAsync(CancellationToken.None));

        Assert.Equal(ErrorCodes.RegistryUnauthorized, error.Code);
        Assert.Contains($"user \"{TlsAuthRegistryFixture.UserName}\"", error.Message);
        Assert.Contains(_registry.Address, loginError.Message);
        Assert.Contains($"user \"{TlsAuthRegistryFixture.UserName}\"", loginError.Message);
        string basicValue = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TlsAuthRegistryFixture.UserName}:{WrongPassword}"));
        foreach (string secret in new[] { WrongPassword, basicValue })
        {
            Assert.DoesNotContain(secret, error.ToString());
            Assert.DoesNotContain(secret, loginError.ToString());
            Assert.DoesNotContain(secret, client.Logger.AllText);
        }
    }

    /// <summary>Every source except the generic environment pair, which serves every registry by design.</summary>
    public static TheoryData<string> RegistrySpecificSources => new(SourceNames.Where(source => source != "environment"));

    [Theory]
    [MemberData(nameof(RegistrySpecificSources))]
    public async Task Credentials_for_other_registry_are_not_sent(string source)
    {
        // Stored credentials name another registry, so nothing applies; explicit ones are tied to another registry.
        var explicitCredentials = Configure(source, "127.0.0.1:1", TlsAuthRegistryFixture.Password);
        var factory = new RegistryOptionsFactory(_user.Environment, RegistriesConfiguration.Empty)
        {
            Credentials = explicitCredentials,
            CredentialsRegistry = "127.0.0.1:1",
            CertificateDirectory = _registry.Directory,
        };
        using var client = new RegistryTestClient(_registry, factory.Create(_registry.Address));

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.PushAsync(TestImage.Create(), "sources/missing", "1"));

        Assert.Equal(ErrorCodes.RegistryUnauthorized, error.Code);
        Assert.Contains("no credentials", error.Message);
    }
}
