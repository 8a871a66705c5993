namespace OciBuild.IntegrationTests;

/// <summary>A docker-registry on a free loopback port, started by eng/registry.sh and removed on dispose.</summary>
public sealed class TestRegistry : IAsyncDisposable
{
    private TestRegistry(string directory, string address)
    {
        Directory = directory;
        Address = address;
    }

    /// <summary>The registry's <c>127.0.0.1:PORT</c>.</summary>
    public string Address { get; }

    /// <summary>The registry's folder. With <c>--tls</c> it contains the CA certificate <c>ca.crt</c>, so it is also a certificate folder.</summary>
    public string Directory { get; }

    public static async Task<TestRegistry> StartAsync(string directory, params string[] options)
    {
        var result = await ProcessRunner.RunCheckedAsync(RepositoryPaths.Script("registry.sh"), ["start", directory, .. options]);
        return new TestRegistry(directory, result.StandardOutput.Trim());
    }

    public async ValueTask DisposeAsync()
    {
        await ProcessRunner.RunAsync(RepositoryPaths.Script("registry.sh"), ["stop", Directory, "--clean"]);
    }
}
