using OciBuild.Core;
using OciBuild.Transport.Registry;

namespace OciBuild.Transport.Tests.Support;

/// <summary>
/// A docker-registry on 127.0.0.1 started with eng/registry.sh for one test collection and stopped, with its
/// folder removed, when the collection ends. xunit creates it only when a test of the collection runs.
/// </summary>
public abstract class RegistryFixture : IAsyncLifetime
{
    private readonly string[] _startOptions;

    protected RegistryFixture(params string[] startOptions)
    {
        _startOptions = startOptions;
        Directory = Path.Combine(Path.GetTempPath(), $"ocibuild-registry-{Guid.NewGuid():N}");
    }

    /// <summary>The registry's folder: config, data, log and, with --tls, the CA certificate <c>ca.crt</c>.</summary>
    public string Directory { get; }

    /// <summary>The registry as image references name it: <c>127.0.0.1:PORT</c>.</summary>
    public string Address { get; private set; } = "";

    /// <summary>The folder where the registry keeps blob <paramref name="digest"/>, as distribution's filesystem driver lays it out.</summary>
    public string GetStoredBlobPath(Digest digest)
        => Path.Combine(Directory, "data", "docker", "registry", "v2", "blobs", digest.Algorithm, digest.Encoded[..2], digest.Encoded, "data");

    public ImageReference Reference(string repository, string tag = "latest") => ImageReference.Parse($"{Address}/{repository}:{tag}");

    public async Task InitializeAsync()
    {
        var result = await ExternalTool.RunAsync(ExternalTool.RegistryScript, ["start", Directory, .. _startOptions]);
        if (result.ExitCode != 0)
        {
            // registry.sh stops a registry that failed to start, so only the folder is left to remove.
            DeleteDirectory();
            throw new InvalidOperationException($"eng/registry.sh start {string.Join(' ', _startOptions)} failed: {result}");
        }

        Address = result.StandardOutput.Trim();
    }

    public async Task DisposeAsync()
    {
        var result = await ExternalTool.RunAsync(ExternalTool.RegistryScript, "stop", Directory, "--clean");
        DeleteDirectory();
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"eng/registry.sh stop failed: {result}");
        }
    }

    private void DeleteDirectory()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}

/// <summary>A registry that speaks plain HTTP without authentication.</summary>
public sealed class PlainRegistryFixture : RegistryFixture
{
}

/// <summary>A registry that serves HTTPS with a certificate from a throwaway CA (<c>ca.crt</c> in its folder).</summary>
public sealed class TlsRegistryFixture : RegistryFixture
{
    public TlsRegistryFixture()
        : base("--tls")
    {
    }
}

/// <summary>A plain HTTP registry that requires HTTP basic authentication as <see cref="Credentials"/>.</summary>
public sealed class AuthRegistryFixture : RegistryFixture
{
    public const string UserName = "user";
    public const string Password = "secret-XYZ";

    public AuthRegistryFixture()
        : base("--auth", $"{UserName}:{Password}")
    {
    }

    public static RegistryCredentials Credentials => new(UserName, Password);
}

[CollectionDefinition(Name)]
public sealed class PlainRegistryCollection : ICollectionFixture<PlainRegistryFixture>
{
    public const string Name = "plain HTTP registry";
}

[CollectionDefinition(Name)]
public sealed class TlsRegistryCollection : ICollectionFixture<TlsRegistryFixture>
{
    public const string Name = "TLS registry";
}

[CollectionDefinition(Name)]
public sealed class AuthRegistryCollection : ICollectionFixture<AuthRegistryFixture>
{
    public const string Name = "basic-auth registry";
}
