namespace OciBuild.IntegrationTests;

/// <summary>
/// The auth file that <c>ocibuild login</c> writes stays private (mode 0600), and a failing credential
/// helper is reported without relaying its output.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class AuthFileModeTests
{
    private const string User = "modetester";
    private const string Password = "pw-mode-3c1f";
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly TestBed _bed;

    public AuthFileModeTests(TestBed bed)
    {
        _bed = bed;
    }

    [Fact]
    public async Task Login_creates_private_auth_file()
    {
        await using var registry = await StartRegistryAsync();
        string authFile = Path.Combine(_bed.NewDirectory("auth-new"), "containers", "auth.json");

        var login = await LoginAsync(registry.Address, authFile);

        Assert.True(login.ExitCode == 0, login.ToString());
        Assert.Equal(Private, File.GetUnixFileMode(authFile));
        Assert.DoesNotContain("was accessible to group or others", login.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_rewrite_keeps_private_mode()
    {
        await using var registry = await StartRegistryAsync();
        string authFile = Path.Combine(_bed.NewDirectory("auth-rewrite"), "auth.json");

        var first = await LoginAsync(registry.Address, authFile);
        var second = await LoginAsync(registry.Address, authFile);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(Private, File.GetUnixFileMode(authFile));
        Assert.Contains($"\"{registry.Address}\"", await File.ReadAllTextAsync(authFile), StringComparison.Ordinal);
    }

    // Login makes a readable file private and prints a warning, because failing would leave the
    // passwords in it readable.
    [Fact]
    public async Task Login_makes_readable_file_private()
    {
        await using var registry = await StartRegistryAsync();
        string authFile = Path.Combine(_bed.NewDirectory("auth-readable"), "auth.json");
        await File.WriteAllTextAsync(authFile, """{"auths": {"other.example:5000": {"auth": "dXNlcjpwYXNz"}}}""");
        File.SetUnixFileMode(authFile, Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var login = await LoginAsync(registry.Address, authFile);

        Assert.True(login.ExitCode == 0, login.ToString());
        Assert.Contains($"warning: auth file {authFile} was accessible to group or others", login.StandardError, StringComparison.Ordinal);
        Assert.Equal(Private, File.GetUnixFileMode(authFile));
        Assert.Contains("other.example:5000", await File.ReadAllTextAsync(authFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failing_helper_output_not_shown()
    {
        await using var registry = await StartRegistryAsync();
        string directory = _bed.NewDirectory("failing-helper");
        string calledMarker = Path.Combine(directory, "called");

        // The helper echoes what it read on standard input, as a buggy helper might echo a secret.
        string helper = Path.Combine(directory, "docker-credential-ocibuild-failing");
        await File.WriteAllTextAsync(helper, $"""
            #!/bin/sh
            input=$(cat)
            touch {calledMarker}
            echo "helper read: $input"
            echo "helper read: $input" >&2
            exit 1
            """);
        File.SetUnixFileMode(helper, Private | UnixFileMode.UserExecute);
        string authFile = Path.Combine(directory, "auth.json");
        await File.WriteAllTextAsync(authFile, $$$"""{"credHelpers": {"{{{registry.Address}}}": "ocibuild-failing"}}""");
        var environment = new Dictionary<string, string?>
        {
            ["OCIBUILD_STORAGE"] = _bed.NewDirectory("failing-helper-store"),
            ["REGISTRY_AUTH_FILE"] = authFile,
            ["PATH"] = $"{directory}:{Environment.GetEnvironmentVariable("PATH")}",
        };

        var pull = await ProcessRunner.RunAsync(RepositoryPaths.Ocibuild, ["pull", "--tls-verify=false", $"{registry.Address}/private/app:1"], _bed.WorkDirectory, environment);

        Assert.True(File.Exists(calledMarker), $"the helper was not run: {pull}");
        Assert.Equal(1, pull.ExitCode);
        Assert.Contains("warning: credential helper docker-credential-ocibuild-failing failed", pull.StandardError, StringComparison.Ordinal);
        Assert.Contains("exit code 1", pull.StandardError, StringComparison.Ordinal);
        Assert.Contains("[OCIB3003]", pull.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("helper read:", pull.StandardOutput + pull.StandardError, StringComparison.Ordinal);
    }

    private async Task<TestRegistry> StartRegistryAsync()
        => await TestRegistry.StartAsync(Path.Combine(_bed.NewDirectory("auth-mode"), "registry"), "--auth", $"{User}:{Password}");

    private Task<ProcessResult> LoginAsync(string registry, string authFile)
        => ProcessRunner.RunAsync(
            RepositoryPaths.Ocibuild,
            ["login", "--tls-verify=false", "--username", User, "--password-stdin", registry],
            _bed.WorkDirectory,
            new Dictionary<string, string?> { ["REGISTRY_AUTH_FILE"] = authFile },
            standardInput: Password + "\n");
}
