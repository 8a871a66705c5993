using System.Text.RegularExpressions;

namespace OciBuild.IntegrationTests;

/// <summary>
/// A registry that requires a client certificate (<c>eng/registry.sh --client-ca</c>): a certificate
/// folder with <c>client.cert</c> and <c>client.key</c> lets both <c>dotnet publish</c> and the CLI push,
/// a folder with only the CA certificate fails with OCIB3010, saying that a client certificate was demanded,
/// and a certificate from another CA fails with OCIB3011.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class ClientCertificateTests : IAsyncLifetime
{
    private readonly TestBed _bed;
    private TestRegistry _registry = null!;

    public ClientCertificateTests(TestBed bed)
    {
        _bed = bed;
    }

    public async Task InitializeAsync()
        => _registry = await TestRegistry.StartAsync(Path.Combine(_bed.NewDirectory("client-ca"), "registry"), "--tls", "--client-ca");

    public async Task DisposeAsync() => await _registry.DisposeAsync();

    /// <summary>ca.crt, client.cert and client.key, as eng/registry.sh writes them.</summary>
    private string ClientCertificates => Path.Combine(_registry.Directory, "client-certs");

    [Fact]
    public async Task Client_certificate_from_directory_publishes()
    {
        var publish = await _bed.PublishAsync([.. Properties("client/msbuild"), $"OciCertificateDirectory={ClientCertificates}"]);

        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Equal(PublishOutput.ManifestDigest(publish), await DigestAsync("client/msbuild"));
    }

    [Fact]
    public async Task Publish_without_client_certificate_names_demand()
    {
        var publish = await _bed.PublishAsync([.. Properties("client/msbuild-missing"), $"OciCertificateDirectory={_registry.Directory}"]);

        Assert.NotEqual(0, publish.ExitCode);
        Assert.Contains("error OCIB3010", publish.StandardOutput);
        Assert.Contains($"registry {_registry.Address}", publish.StandardOutput);
        Assert.Contains("demanded a client certificate", publish.StandardOutput);
        Assert.Contains("OciCertificateDirectory", publish.StandardOutput);
    }

    [Fact]
    public async Task Cli_client_certificate_pushes_and_pulls()
    {
        string store = _bed.NewDirectory("client-store");
        var pull = await _bed.OcibuildAsync(store, "pull", "--tls-verify=false", $"{_bed.Registry.Address}/dotnet/runtime-deps:10.0");
        Assert.True(pull.ExitCode == 0, pull.ToString());
        string target = $"{_registry.Address}/client/cli:1";

        var push = await _bed.OcibuildAsync(store, "push", "--cert-dir", ClientCertificates, $"{_bed.Registry.Address}/dotnet/runtime-deps:10.0", $"docker://{target}");
        var pullBack = await _bed.OcibuildAsync(_bed.NewDirectory("client-store-back"), "pull", "--cert-dir", ClientCertificates, target);

        Assert.True(push.ExitCode == 0, push.ToString());
        Assert.True(pullBack.ExitCode == 0, pullBack.ToString());
        var pushed = Regex.Match(push.StandardError, @"pushed \S+ \((sha256:[0-9a-f]{64})\)");
        Assert.True(pushed.Success, push.ToString());
        Assert.Equal(pushed.Groups[1].Value, await DigestAsync("client/cli", "1"));
    }

    [Fact]
    public async Task Cli_without_client_certificate_names_demand()
    {
        var pull = await _bed.OcibuildAsync(_bed.NewDirectory("client-store-missing"), "pull", "--cert-dir", _registry.Directory, $"{_registry.Address}/client/none:1");

        Assert.NotEqual(0, pull.ExitCode);
        Assert.Contains("[OCIB3010]", pull.StandardError);
        Assert.Contains("demanded a client certificate", pull.StandardError);
        Assert.Contains("--cert-dir", pull.StandardError);
    }

    [Fact]
    public async Task Cli_foreign_client_certificate_is_rejected()
    {
        await using var other = await TestRegistry.StartAsync(Path.Combine(_bed.NewDirectory("client-ca-other"), "registry"), "--tls", "--client-ca");
        string foreign = _bed.NewDirectory("client-foreign");
        File.Copy(Path.Combine(_registry.Directory, "ca.crt"), Path.Combine(foreign, "ca.crt"));
        File.Copy(Path.Combine(other.Directory, "client-certs", "client.cert"), Path.Combine(foreign, "client.cert"));
        File.Copy(Path.Combine(other.Directory, "client-certs", "client.key"), Path.Combine(foreign, "client.key"));

        var pull = await _bed.OcibuildAsync(_bed.NewDirectory("client-store-foreign"), "pull", "--cert-dir", foreign, $"{_registry.Address}/client/none:1");

        Assert.NotEqual(0, pull.ExitCode);
        Assert.Contains("[OCIB3011]", pull.StandardError);
        Assert.Contains("CN=ocibuild-test-client", pull.StandardError);
        Assert.Contains(foreign, pull.StandardError);
    }

    private string[] Properties(string repository) =>
    [
        $"OciRegistry={_registry.Address}",
        $"OciBaseImage={_bed.BaseImage}",
        $"OciRepository={repository}",
    ];

    // skopeo presents the same client certificate, and checks the server's against the CA.
    private async Task<string> DigestAsync(string repository, string tag = "latest")
    {
        var inspect = await ProcessRunner.RunCheckedAsync("skopeo", ["inspect", "--cert-dir", ClientCertificates, "--format", "{{.Digest}}", $"docker://{_registry.Address}/{repository}:{tag}"]);
        return inspect.StandardOutput.Trim();
    }
}
