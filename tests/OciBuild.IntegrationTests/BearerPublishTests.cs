using OciBuild.Tests.Shared;

namespace OciBuild.IntegrationTests;

/// <summary>
/// <c>dotnet publish</c> to a docker-registry that takes only Bearer tokens from <see cref="TokenService"/>:
/// the build trades OciCreds, or an identity token from an auth file or a credential helper, for a token
/// with push scope, and fails with OCIB3003 when the token service rejects either.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class BearerPublishTests : IAsyncLifetime
{
    private const string User = "token-user";
    private const string Password = "pw-token-c41d9a";
    private const string IdentityToken = "refresh-7f3e21b0d94c";

    private readonly TestBed _bed;
    private TokenService _tokens = null!;
    private TestRegistry _registry = null!;
    private string _directory = null!;

    public BearerPublishTests(TestBed bed)
    {
        _bed = bed;
    }

    public async Task InitializeAsync()
    {
        _directory = _bed.NewDirectory("bearer");
        _tokens = new TokenService(Path.Combine(_directory, "token-signer.pem"), (User, Password), IdentityToken);
        _registry = await TestRegistry.StartAsync(Path.Combine(_directory, "registry"), "--token-realm", _tokens.Realm, "--token-certs", _tokens.CertificateBundlePath);
    }

    public async Task DisposeAsync()
    {
        await _registry.DisposeAsync();
        _tokens.Dispose();
    }

    [Fact]
    public async Task Token_with_push_scope_publishes()
    {
        var publish = await _bed.PublishAsync([.. Properties("bearer/app"), $"OciCreds={User}:{Password}"]);

        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Contains(_tokens.Requests, r => r.Authenticated && r.Scope.Contains("repository:bearer/app:", StringComparison.Ordinal) && r.Scope.Contains("push", StringComparison.Ordinal));
        // skopeo runs the token flow on its own, so it also checks that the service and registry agree.
        Assert.Equal(PublishOutput.ManifestDigest(publish), await Skopeo.DigestAsync($"{_registry.Address}/bearer/app:latest", "--creds", $"{User}:{Password}"));
    }

    [Fact]
    public async Task Rejected_credentials_fail_build()
    {
        var publish = await _bed.PublishAsync([.. Properties("bearer/rejected"), $"OciCreds={User}:wrong-password"]);

        Assert.NotEqual(0, publish.ExitCode);
        Assert.Contains("error OCIB3003", publish.StandardOutput);
        Assert.Contains($"user \"{User}\"", publish.StandardOutput);
        Assert.DoesNotContain("wrong-password", publish.StandardOutput + publish.StandardError);
        var inspect = await ProcessRunner.RunAsync("skopeo", ["inspect", "--tls-verify=false", "--creds", $"{User}:{Password}", $"docker://{_registry.Address}/bearer/rejected:latest"]);
        Assert.NotEqual(0, inspect.ExitCode);
    }

    [Fact]
    public async Task Identity_token_from_auth_file_publishes()
    {
        var environment = AuthFileEnvironment(new { auths = new Dictionary<string, object> { [_registry.Address] = new { identitytoken = IdentityToken } } });

        var publish = await _bed.PublishAsync(Properties("bearer/identity"), environment, verbosity: "normal");

        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Contains(_tokens.Requests, r => r.Method == "POST" && r.GrantType == "refresh_token" && r.Scope.Contains("repository:bearer/identity:", StringComparison.Ordinal));
        Assert.DoesNotContain(IdentityToken, publish.StandardOutput + publish.StandardError);
        Assert.Contains("copied blob sha256:", publish.StandardOutput);
        Assert.Equal(PublishOutput.ManifestDigest(publish), await Skopeo.DigestAsync($"{_registry.Address}/bearer/identity:latest", "--creds", $"{User}:{Password}"));
    }

    [Fact]
    public async Task Identity_token_from_helper_pushes()
    {
        // A credential helper in Docker's protocol: "get" reads the registry on stdin and prints the secret.
        string helpers = Directory.CreateDirectory(Path.Combine(_directory, "helpers")).FullName;
        string helper = Path.Combine(helpers, "docker-credential-ocibuild-test");
        File.WriteAllText(helper, $$"""
            #!/bin/sh
            [ "$1" = get ] || exit 1
            cat > /dev/null
            echo '{"Username":"<token>","Secret":"{{IdentityToken}}"}'
            """);
        File.SetUnixFileMode(helper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var environment = AuthFileEnvironment(new { credHelpers = new Dictionary<string, string> { [_registry.Address] = "ocibuild-test" } });
        environment["PATH"] = helpers + ":" + Environment.GetEnvironmentVariable("PATH");
        environment["OCIBUILD_STORAGE"] = _bed.NewDirectory("bearer-store");
        string image = $"{_bed.Registry.Address}/dotnet/runtime-deps:10.0";
        await ProcessRunner.RunCheckedAsync(RepositoryPaths.Ocibuild, ["pull", "--tls-verify=false", image], environment: environment);

        var push = await ProcessRunner.RunAsync(RepositoryPaths.Ocibuild, ["push", "--debug", image, $"docker://{_registry.Address}/bearer/helper:1"], environment: environment);

        Assert.True(push.ExitCode == 0, push.ToString());
        Assert.Contains(_tokens.Requests, r => r.Method == "POST" && r.GrantType == "refresh_token" && r.Scope.Contains("repository:bearer/helper:", StringComparison.Ordinal));
        Assert.DoesNotContain(IdentityToken, push.StandardOutput + push.StandardError);
        Assert.StartsWith("sha256:", await Skopeo.DigestAsync($"{_registry.Address}/bearer/helper:1", "--creds", $"{User}:{Password}"));
    }

    [Fact]
    public async Task Rejected_identity_token_fails_build()
    {
        const string revoked = "refresh-revoked-0b5a";
        var environment = AuthFileEnvironment(new { auths = new Dictionary<string, object> { [_registry.Address] = new { identitytoken = revoked } } });

        var publish = await _bed.PublishAsync(Properties("bearer/revoked"), environment);

        Assert.NotEqual(0, publish.ExitCode);
        Assert.Contains("error OCIB3003", publish.StandardOutput);
        Assert.Contains("the identity token (from ", publish.StandardOutput);
        Assert.DoesNotContain(revoked, publish.StandardOutput + publish.StandardError);
    }

    /// <summary>Writes <paramref name="content"/> as the only auth file, with config folders of its own, so that the machine user's credentials cannot stand in.</summary>
    private Dictionary<string, string?> AuthFileEnvironment(object content)
    {
        string home = _bed.NewDirectory("bearer-config");
        string authFile = Path.Combine(home, "auth.json");
        File.WriteAllText(authFile, System.Text.Json.JsonSerializer.Serialize(content));
        return CredentialEnvironment.Isolated(home, authFile);
    }

    private string[] Properties(string repository) =>
    [
        $"OciRegistry={_registry.Address}",
        $"OciBaseImage={_bed.BaseImage}",
        $"OciRepository={repository}",
    ];
}
