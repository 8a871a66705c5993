namespace OciBuild.IntegrationTests;

/// <summary>
/// <c>dotnet publish</c> to a registry that serves HTTPS with a certificate from a throwaway CA: the
/// build fails by default, and succeeds with the CA in OciCertificateDirectory, with OciTlsVerify=false,
/// or with the registry marked insecure in registries.conf while OciTlsVerify is unset.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class TlsPublishTests : IAsyncLifetime
{
    private readonly TestBed _bed;
    private TestRegistry _registry = null!;

    public TlsPublishTests(TestBed bed)
    {
        _bed = bed;
    }

    public async Task InitializeAsync()
        => _registry = await TestRegistry.StartAsync(Path.Combine(_bed.NewDirectory("tls"), "registry"), "--tls");

    public async Task DisposeAsync() => await _registry.DisposeAsync();

    [Fact]
    public async Task Unknown_ca_fails_build()
    {
        var publish = await _bed.PublishAsync(Properties("tls/default"));

        Assert.NotEqual(0, publish.ExitCode);
        Assert.Contains("error OCIB3004", publish.StandardOutput);
        Assert.Contains($"registry {_registry.Address}", publish.StandardOutput);
        Assert.Contains("OciCertificateDirectory", publish.StandardOutput);
        Assert.Contains("OciTlsVerify=false", publish.StandardOutput);
        Assert.NotEqual(0, (await InspectAsync("tls/default")).ExitCode);
    }

    [Fact]
    public async Task Certificate_directory_trusts_ca()
    {
        var publish = await _bed.PublishAsync([.. Properties("tls/cert-dir"), $"OciCertificateDirectory={_registry.Directory}"]);

        Assert.True(publish.ExitCode == 0, publish.ToString());
        var inspect = await InspectAsync("tls/cert-dir");
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.Contains(PublishOutput.ManifestDigest(publish), inspect.StandardOutput);
    }

    [Fact]
    public async Task Tls_verify_false_accepts_unknown_ca()
    {
        var publish = await _bed.PublishAsync([.. Properties("tls/no-verify"), "OciTlsVerify=false"]);

        Assert.True(publish.ExitCode == 0, publish.ToString());
        var inspect = await InspectAsync("tls/no-verify");
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.Contains(PublishOutput.ManifestDigest(publish), inspect.StandardOutput);
    }

    [Fact]
    public async Task Registries_conf_insecure_applies_when_unset()
    {
        var publish = await _bed.PublishAsync(Properties("tls/conf-insecure"), InsecureConfEnvironment());

        Assert.True(publish.ExitCode == 0, publish.ToString());
        var inspect = await InspectAsync("tls/conf-insecure");
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.Contains(PublishOutput.ManifestDigest(publish), inspect.StandardOutput);
    }

    [Fact]
    public async Task Tls_verify_true_overrides_registries_conf()
    {
        var publish = await _bed.PublishAsync([.. Properties("tls/conf-overridden"), "OciTlsVerify=true"], InsecureConfEnvironment());

        Assert.NotEqual(0, publish.ExitCode);
        Assert.Contains("error OCIB3004", publish.StandardOutput);
    }

    /// <summary>Points CONTAINERS_REGISTRIES_CONF, as skopeo and podman read it, at a file that marks the registry insecure.</summary>
    private Dictionary<string, string?> InsecureConfEnvironment()
    {
        string file = Path.Combine(_bed.NewDirectory("registries-conf"), "registries.conf");
        File.WriteAllText(file, $"""
            [[registry]]
            location = "{_registry.Address}"
            insecure = true
            """);
        return new Dictionary<string, string?> { ["CONTAINERS_REGISTRIES_CONF"] = file, ["OCIBUILD_REGISTRIES_CONF"] = null };
    }

    // The base image stays on the test bed's plain-HTTP loopback registry, which every TLS setting
    // reaches, so that only the destination's certificate decides the outcome.
    private string[] Properties(string repository) =>
    [
        $"OciRegistry={_registry.Address}",
        $"OciBaseImage={_bed.BaseImage}",
        $"OciRepository={repository}",
    ];

    // skopeo checks the certificate against the CA here, so a pass also proves that the registry's TLS is sound.
    private Task<ProcessResult> InspectAsync(string repository)
        => ProcessRunner.RunAsync("skopeo", ["inspect", "--cert-dir", _registry.Directory, $"docker://{_registry.Address}/{repository}:latest"]);
}
