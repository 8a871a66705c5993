using OciBuild.Core.Errors;
using OciBuild.Transport.Configuration;
using OciBuild.Transport.Registry;
using OciBuild.Transport.Tests.Credentials;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Integration;

[Collection(TlsRegistryCollection.Name)]
public sealed class CertificateDirectoryTests : IDisposable
{
    private readonly TlsRegistryFixture _registry;
    private readonly FakeUserEnvironment _user = new();

    public CertificateDirectoryTests(TlsRegistryFixture registry)
    {
        _registry = registry;
    }

    public void Dispose() => _user.Dispose();

    private RegistryOptionsFactory Factory(bool? tlsVerify = null, string? certificateDirectory = null)
        => new(_user.Environment, RegistriesConfiguration.Empty) { TlsVerify = tlsVerify, CertificateDirectory = certificateDirectory };

    [Fact]
    public async Task Default_settings_reject_unknown_ca()
    {
        using var client = new RegistryTestClient(_registry, Factory().Create(_registry.Address));

        var error = await Assert.ThrowsAsync<OciException>(() => client.PushAsync(TestImage.Create(), "certs/default", "1"));

        Assert.Equal(ErrorCodes.TlsFailure, error.Code);
        Assert.Contains($"registry {_registry.Address}", error.Message);
        Assert.Contains("--cert-dir", error.Message);
        Assert.Contains("--tls-verify=false", error.Message);
        Assert.DoesNotContain(client.Logger.Messages(Microsoft.Extensions.Logging.LogLevel.Warning), m => m.Contains("retrying", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cert_dir_ca_is_trusted()
    {
        using var client = new RegistryTestClient(_registry, Factory(certificateDirectory: _registry.Directory).Create(_registry.Address));
        var image = TestImage.Create();

        await client.PushAsync(image, "certs/cert-dir", "1");

        var inspected = await Skopeo.InspectAsync("--cert-dir", _registry.Directory, $"docker://{_registry.Address}/certs/cert-dir:1");
        Assert.Equal(image.Manifest.Digest.ToString(), inspected.Digest);
    }

    [Fact]
    public async Task Certs_d_folder_of_registry_is_used()
    {
        string certsD = Path.Combine(_user.Root, "certs.d");
        Directory.CreateDirectory(Path.Combine(certsD, _registry.Address));
        File.Copy(Path.Combine(_registry.Directory, "ca.crt"), Path.Combine(certsD, _registry.Address, "ca.crt"));
        _user.Variables[RegistryCertificates.CertsDirectoryVariable] = certsD;
        var options = Factory().Create(_registry.Address);
        using var client = new RegistryTestClient(_registry, options);

        await client.PushAsync(TestImage.Create(), "certs/certs-d", "1");

        Assert.Equal(Path.Combine(certsD, _registry.Address), options.CertificateDirectory);
        Assert.True(options.TlsVerify);
    }

    [Fact]
    public async Task Verification_off_accepts_unknown_ca()
    {
        using var client = new RegistryTestClient(_registry, Factory(tlsVerify: false).Create(_registry.Address));
        var image = TestImage.Create();

        await client.PushAsync(image, "certs/insecure", "1");

        var manifest = await client.Client.GetManifestAsync("certs/insecure", "1", CancellationToken.None);
        Assert.Equal(image.Manifest.Digest, manifest.Digest);
    }

    [Fact]
    public async Task Registries_conf_insecure_accepts_unknown_ca()
    {
        var configuration = RegistriesConfiguration.Parse($"[[registry]]\nlocation = \"{_registry.Address}\"\ninsecure = true\n");
        var factory = new RegistryOptionsFactory(_user.Environment, configuration);
        using var client = new RegistryTestClient(_registry, factory.Create(_registry.Address));

        await client.PushAsync(TestImage.Create(), "certs/registries-conf", "1");
    }

    [Fact]
    public async Task Flag_overrides_registries_conf_insecure()
    {
        var configuration = RegistriesConfiguration.Parse($"[[registry]]\nlocation = \"{_registry.Address}\"\ninsecure = true\n");
        var factory = new RegistryOptionsFactory(_user.Environment, configuration) { TlsVerify = true };
        using var client = new RegistryTestClient(_registry, factory.Create(_registry.Address));

        var error = await Assert.ThrowsAsync<OciException>(() => client.PushAsync(TestImage.Create(), "certs/flag-wins", "1"));

        Assert.Equal(ErrorCodes.TlsFailure, error.Code);
    }

    [Fact]
    public void Client_certificate_without_key_is_rejected()
    {
        string folder = Path.Combine(_user.Root, "client");
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(_registry.Directory, "ca.crt"), Path.Combine(folder, "client.cert"));

        var error = Assert.Throws<OciException>(() => new RegistryClient(_registry.Address, new RegistryOptions { CertificateDirectory = folder }));

        Assert.Equal(ErrorCodes.CertificateDirectoryInvalid, error.Code);
        Assert.Contains("client.key", error.Message);
    }
}
