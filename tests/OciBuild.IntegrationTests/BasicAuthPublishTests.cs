using System.Text;
using System.Text.Json;

namespace OciBuild.IntegrationTests;

/// <summary>
/// <c>dotnet publish</c> to an htpasswd registry over TLS, with the credentials from each place a user
/// can put them: the OciCreds property, the OCIBUILD_REGISTRY_* variables, and an auth.json named by
/// REGISTRY_AUTH_FILE. Right credentials push. Wrong or missing ones fail with OCIB3003, naming the
/// user and never the password, and leave no tag behind.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class BasicAuthPublishTests : IAsyncLifetime
{
    private const string User = "publisher";
    private const string Password = "pw-basic-5e1f07";
    private const string WrongPassword = "pw-wrong-93ac2d";

    private readonly TestBed _bed;
    private TestRegistry _registry = null!;
    private string _configHome = null!;

    public BasicAuthPublishTests(TestBed bed)
    {
        _bed = bed;
    }

    public async Task InitializeAsync()
    {
        _registry = await TestRegistry.StartAsync(Path.Combine(_bed.NewDirectory("basic"), "registry"), "--tls", "--auth", $"{User}:{Password}");
        _configHome = _bed.NewDirectory("basic-config");
    }

    public async Task DisposeAsync() => await _registry.DisposeAsync();

    [Theory]
    [InlineData("OciCreds")]
    [InlineData("environment")]
    [InlineData("auth file")]
    public async Task Right_credentials_push(string source)
    {
        string repository = $"basic/right-{source.Replace(' ', '-').ToLowerInvariant()}";

        var publish = await PublishAsync(repository, source, Password);

        Assert.True(publish.ExitCode == 0, publish.ToString());
        var inspect = await InspectAsync(repository);
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.Contains(PublishOutput.ManifestDigest(publish), inspect.StandardOutput);
    }

    [Theory]
    [InlineData("OciCreds", "")]
    [InlineData("environment", "environment variables OCIBUILD_REGISTRY_USERNAME and OCIBUILD_REGISTRY_PASSWORD")]
    [InlineData("auth file", "auth.json")]
    public async Task Wrong_password_names_user_only(string source, string namedSource)
    {
        string repository = $"basic/wrong-{source.Replace(' ', '-').ToLowerInvariant()}";

        var publish = await PublishAsync(repository, source, WrongPassword);

        string output = publish.StandardOutput + publish.StandardError;
        Assert.NotEqual(0, publish.ExitCode);
        Assert.Contains("error OCIB3003", publish.StandardOutput);
        Assert.Contains($"user \"{User}\"", output);
        Assert.Contains(namedSource, output);
        Assert.DoesNotContain(WrongPassword, output);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{WrongPassword}")), output);
        Assert.NotEqual(0, (await InspectAsync(repository)).ExitCode);
    }

    [Fact]
    public async Task Missing_credentials_fail_with_hint()
    {
        var publish = await PublishAsync("basic/missing", source: null, password: null);

        Assert.NotEqual(0, publish.ExitCode);
        Assert.Contains("error OCIB3003", publish.StandardOutput);
        Assert.Contains("no credentials were given", publish.StandardOutput);
        Assert.Contains("OciCreds", publish.StandardOutput);
        Assert.NotEqual(0, (await InspectAsync("basic/missing")).ExitCode);
    }

    /// <summary>
    /// Publishes with the credentials in <paramref name="source"/>. Every run gets auth file and config
    /// folders of its own, so that credentials stored for the machine's user cannot stand in.
    /// </summary>
    private Task<ProcessResult> PublishAsync(string repository, string? source, string? password)
    {
        string authFile = Path.Combine(_configHome, repository.Replace('/', '-'), "auth.json");
        var environment = CredentialEnvironment.Isolated(_configHome, authFile);
        var properties = new List<string>
        {
            $"OciRegistry={_registry.Address}",
            $"OciCertificateDirectory={_registry.Directory}",
            $"OciBaseImage={_bed.BaseImage}",
            $"OciRepository={repository}",
        };

        switch (source)
        {
            case "OciCreds":
                properties.Add($"OciCreds={User}:{password}");
                break;
            case "environment":
                environment["OCIBUILD_REGISTRY_USERNAME"] = User;
                environment["OCIBUILD_REGISTRY_PASSWORD"] = password;
                break;
            case "auth file":
                Directory.CreateDirectory(Path.GetDirectoryName(authFile)!);
                string auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{password}"));
                File.WriteAllText(authFile, JsonSerializer.Serialize(new { auths = new Dictionary<string, object> { [_registry.Address] = new { auth } } }));
                break;
        }

        return _bed.PublishAsync(properties, environment);
    }

    private Task<ProcessResult> InspectAsync(string repository)
        => ProcessRunner.RunAsync("skopeo", ["inspect", "--cert-dir", _registry.Directory, "--creds", $"{User}:{Password}", $"docker://{_registry.Address}/{repository}:latest"]);
}
