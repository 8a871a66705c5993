using OciBuild.Transport.Credentials;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Credentials;

public sealed class CredentialResolverTests : IDisposable
{
    private const string Registry = "127.0.0.1:5000";

    private readonly FakeUserEnvironment _user = new();
    private readonly TestLogger _logger = new();

    public void Dispose() => _user.Dispose();

    private Task<Transport.Registry.RegistryCredentials?> FindAsync(string registry = Registry)
        => new CredentialResolver(_user.Environment, _logger).FindAsync(registry, CancellationToken.None);

    [Fact]
    public async Task Nothing_configured_finds_nothing()
    {
        Assert.Null(await FindAsync());
    }

    [Fact]
    public async Task Environment_wins_over_auth_files()
    {
        FakeUserEnvironment.WriteAuthFile(_user.ContainersAuthFile, Registry, "from-file", "p");
        _user.Variables["OCIBUILD_REGISTRY_USERNAME"] = "from-env";
        _user.Variables["OCIBUILD_REGISTRY_PASSWORD"] = "p";

        Assert.Equal("from-env", (await FindAsync())?.UserName);
    }

    [Fact]
    public async Task Auth_files_are_searched_in_order()
    {
        string explicitFile = Path.Combine(_user.Root, "explicit.json");
        string runtimeDirectory = Path.Combine(_user.Root, "run");
        FakeUserEnvironment.WriteAuthFile(_user.DockerConfigFile, Registry, "docker", "p");
        Assert.Equal("docker", (await FindAsync())?.UserName);

        FakeUserEnvironment.WriteAuthFile(_user.ContainersAuthFile, Registry, "config-home", "p");
        Assert.Equal("config-home", (await FindAsync())?.UserName);

        _user.Variables["XDG_RUNTIME_DIR"] = runtimeDirectory;
        FakeUserEnvironment.WriteAuthFile(Path.Combine(runtimeDirectory, "containers", "auth.json"), Registry, "runtime", "p");
        Assert.Equal("runtime", (await FindAsync())?.UserName);

        _user.Variables["REGISTRY_AUTH_FILE"] = explicitFile;
        FakeUserEnvironment.WriteAuthFile(explicitFile, Registry, "explicit", "p");
        Assert.Equal("explicit", (await FindAsync())?.UserName);
    }

    [Fact]
    public async Task File_without_entry_falls_through()
    {
        FakeUserEnvironment.WriteAuthFile(_user.ContainersAuthFile, "other:1", "other", "p");
        FakeUserEnvironment.WriteAuthFile(_user.DockerConfigFile, Registry, "docker", "p");

        Assert.Equal("docker", (await FindAsync())?.UserName);
    }

    [Fact]
    public async Task CredHelpers_entry_runs_named_helper()
    {
        string requests = _user.WriteCredentialHelper("fake", Registry, "helper-user", "helper-secret");
        Directory.CreateDirectory(Path.GetDirectoryName(_user.DockerConfigFile)!);
        File.WriteAllText(_user.DockerConfigFile, $$$"""{"credHelpers": {"{{{Registry}}}": "fake"}}""");

        var found = await FindAsync();

        Assert.NotNull(found);
        Assert.Equal("helper-user", found.UserName);
        Assert.Equal("helper-secret", found.Password);
        Assert.Equal("credential helper docker-credential-fake", found.Source);
        Assert.Equal(Registry, File.ReadAllText(requests).Trim());
    }

    [Fact]
    public async Task CredsStore_serves_every_registry()
    {
        _user.WriteCredentialHelper("store", Registry, "store-user", "store-secret");
        Directory.CreateDirectory(Path.GetDirectoryName(_user.DockerConfigFile)!);
        File.WriteAllText(_user.DockerConfigFile, """{"credsStore": "store", "auths": {"127.0.0.1:5000": {}}}""");

        Assert.Equal("store-user", (await FindAsync())?.UserName);
        Assert.Null(await FindAsync("127.0.0.1:6000"));
    }

    [Fact]
    public async Task Helper_without_entry_falls_back_to_auths()
    {
        _user.WriteCredentialHelper("store", "elsewhere:1", "store-user", "s");
        FakeUserEnvironment.WriteAuthFile(_user.DockerConfigFile, Registry, "inline", "p", "\"credsStore\": \"store\"");

        Assert.Equal("inline", (await FindAsync())?.UserName);
    }

    [Fact]
    public async Task Missing_helper_warns_and_continues()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_user.DockerConfigFile)!);
        File.WriteAllText(_user.DockerConfigFile, """{"credsStore": "absent"}""");

        Assert.Null(await FindAsync());
        Assert.Contains(_logger.Messages(Microsoft.Extensions.Logging.LogLevel.Warning), m => m.Contains("docker-credential-absent", StringComparison.Ordinal));
    }

    [Fact]
    public void Login_file_follows_podman_order()
    {
        var resolver = new CredentialResolver(_user.Environment);
        Assert.Equal(_user.ContainersAuthFile, resolver.DefaultAuthFilePath);

        _user.Variables["XDG_RUNTIME_DIR"] = "/run/user/1000";
        Assert.Equal("/run/user/1000/containers/auth.json", new CredentialResolver(_user.Environment).DefaultAuthFilePath);

        _user.Variables["REGISTRY_AUTH_FILE"] = "/tmp/mine.json";
        Assert.Equal("/tmp/mine.json", new CredentialResolver(_user.Environment).DefaultAuthFilePath);
    }
}
