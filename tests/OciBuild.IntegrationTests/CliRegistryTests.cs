using System.Text.Json;
using System.Text.RegularExpressions;

namespace OciBuild.IntegrationTests;

/// <summary>
/// artifacts/ocibuild against an htpasswd registry over TLS: login stores credentials in the auth file
/// that REGISTRY_AUTH_FILE names, push and pull use them, and logout removes them. --cert-dir and
/// --tls-verify=false decide whether the throwaway CA is accepted.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class CliRegistryTests : IAsyncLifetime
{
    private const string User = "cli-user";
    private const string Password = "pw-cli-7d2e90";
    private const string WrongPassword = "pw-cli-wrong-41b8";

    private readonly TestBed _bed;
    private TestRegistry _registry = null!;
    private string _store = null!;
    private string _authFile = null!;
    private string _configHome = null!;

    public CliRegistryTests(TestBed bed)
    {
        _bed = bed;
    }

    public async Task InitializeAsync()
    {
        _registry = await TestRegistry.StartAsync(Path.Combine(_bed.NewDirectory("cli-tls"), "registry"), "--tls", "--auth", $"{User}:{Password}");
        _store = _bed.NewDirectory("cli-store");
        _configHome = _bed.NewDirectory("cli-config");
        _authFile = Path.Combine(_configHome, "auth", "auth.json");

        // The smallest base image, so that the pushes below move about 6 MB.
        var pull = await OcibuildAsync("pull", "--tls-verify=false", $"{_bed.Registry.Address}/dotnet/runtime-deps:10.0");
        Assert.True(pull.ExitCode == 0, pull.ToString());
    }

    public async Task DisposeAsync() => await _registry.DisposeAsync();

    private string Image => $"{_bed.Registry.Address}/dotnet/runtime-deps:10.0";

    [Fact]
    public async Task Login_then_push_pull_logout()
    {
        var login = await OcibuildWithInputAsync(Password + "\n", "login", "--cert-dir", _registry.Directory, "--username", User, "--password-stdin", _registry.Address);

        Assert.True(login.ExitCode == 0, login.ToString());
        Assert.Contains("Login Succeeded", login.StandardOutput);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_authFile));
        using (var auth = JsonDocument.Parse(File.ReadAllText(_authFile)))
        {
            Assert.True(auth.RootElement.GetProperty("auths").TryGetProperty(_registry.Address, out _), File.ReadAllText(_authFile));
        }

        var push = await OcibuildAsync("push", "--cert-dir", _registry.Directory, Image, $"docker://{_registry.Address}/cli/login:1");
        Assert.True(push.ExitCode == 0, push.ToString());

        // Standard error is redirected here, so progress comes as plain lines, the last at 100%.
        Assert.Matches(@"sha256:[0-9a-f]{12}: [0-9.]+ MiB of [0-9.]+ MiB \(100%\), [0-9.]+ [KMG]?i?B/s", push.StandardError);
        var inspect = await ProcessRunner.RunAsync("skopeo", ["inspect", "--cert-dir", _registry.Directory, "--creds", $"{User}:{Password}", $"docker://{_registry.Address}/cli/login:1"]);
        Assert.True(inspect.ExitCode == 0, inspect.ToString());

        string otherStore = _bed.NewDirectory("cli-other-store");
        var pull = await OcibuildInStoreAsync(otherStore, "pull", "--cert-dir", _registry.Directory, $"{_registry.Address}/cli/login:1");
        Assert.True(pull.ExitCode == 0, pull.ToString());

        var logout = await OcibuildAsync("logout", _registry.Address);
        Assert.True(logout.ExitCode == 0, logout.ToString());
        Assert.DoesNotContain(_registry.Address, File.ReadAllText(_authFile));

        var pullAfterLogout = await OcibuildInStoreAsync(_bed.NewDirectory("cli-logged-out-store"), "pull", "--cert-dir", _registry.Directory, $"{_registry.Address}/cli/login:1");
        Assert.NotEqual(0, pullAfterLogout.ExitCode);
        Assert.Contains("[OCIB3003]", pullAfterLogout.StandardError);
    }

    [Fact]
    public async Task Login_wrong_password_names_user()
    {
        var login = await OcibuildWithInputAsync(WrongPassword + "\n", "login", "--cert-dir", _registry.Directory, "-u", User, "--password-stdin", _registry.Address);

        string output = login.StandardOutput + login.StandardError;
        Assert.NotEqual(0, login.ExitCode);
        Assert.Contains("[OCIB3003]", login.StandardError);
        Assert.Contains(_registry.Address, login.StandardError);
        Assert.Contains($"\"{User}\"", login.StandardError);
        Assert.DoesNotContain(WrongPassword, output);
        Assert.False(File.Exists(_authFile), $"login wrote {_authFile} although the registry rejected the password");
    }

    [Fact]
    public async Task Logout_without_entry_fails()
    {
        var logout = await OcibuildAsync("logout", _registry.Address);

        Assert.NotEqual(0, logout.ExitCode);
        Assert.Contains("[OCIB3104]", logout.StandardError);
        Assert.Contains(_registry.Address, logout.StandardError);
    }

    [Fact]
    public async Task Unknown_ca_fails_push()
    {
        var push = await OcibuildAsync("push", "--creds", $"{User}:{Password}", Image, $"docker://{_registry.Address}/cli/untrusted:1");

        Assert.NotEqual(0, push.ExitCode);
        Assert.Contains("[OCIB3004]", push.StandardError);
        Assert.Contains($"registry {_registry.Address}", push.StandardError);
        Assert.Contains("--cert-dir", push.StandardError);
    }

    [Theory]
    [InlineData("--cert-dir")]
    [InlineData("--tls-verify=false")]
    public async Task Tls_flag_allows_push_and_pull(string flag)
    {
        string[] tls = flag == "--cert-dir" ? [flag, _registry.Directory] : [flag];
        string target = $"{_registry.Address}/cli/{flag.TrimStart('-').Split('=')[0]}:1";

        var push = await OcibuildAsync(["push", .. tls, "--creds", $"{User}:{Password}", Image, $"docker://{target}"]);
        var pull = await OcibuildInStoreAsync(_bed.NewDirectory("cli-tls-store"), ["pull", .. tls, "--creds", $"{User}:{Password}", target]);

        Assert.True(push.ExitCode == 0, push.ToString());
        Assert.True(pull.ExitCode == 0, pull.ToString());
        var pushed = Regex.Match(push.StandardError, @"pushed \S+ \((sha256:[0-9a-f]{64})\)");
        Assert.True(pushed.Success, push.ToString());
        Assert.Equal(pushed.Groups[1].Value, await Skopeo.DigestAsync(target, "--creds", $"{User}:{Password}"));
    }

    private Task<ProcessResult> OcibuildAsync(params string[] arguments) => RunOcibuildAsync(_store, null, arguments);

    private Task<ProcessResult> OcibuildInStoreAsync(string store, params string[] arguments) => RunOcibuildAsync(store, null, arguments);

    private Task<ProcessResult> OcibuildWithInputAsync(string standardInput, params string[] arguments) => RunOcibuildAsync(_store, standardInput, arguments);

    /// <summary>Runs the CLI with its own store, auth file and config folders, so that the machine user's credentials cannot stand in.</summary>
    private Task<ProcessResult> RunOcibuildAsync(string store, string? standardInput, string[] arguments)
    {
        var environment = CredentialEnvironment.Isolated(_configHome, _authFile);
        environment["OCIBUILD_STORAGE"] = store;
        return ProcessRunner.RunAsync(RepositoryPaths.Ocibuild, arguments, _bed.WorkDirectory, environment, standardInput);
    }
}
