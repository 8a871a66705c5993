namespace OciBuild.Transport.Credentials;

/// <summary>
/// Compares the keys of credentials files with registry names. Docker writes keys as URLs
/// (<c>https://index.docker.io/v1/</c>), podman as bare <c>host:port</c>; both name the same registry.
/// </summary>
internal static class RegistryKey
{
    private static readonly string[] DockerHubNames = ["docker.io", "index.docker.io", "registry-1.docker.io"];

    public static bool Matches(string key, string registry)
        => string.Equals(Normalize(key), Normalize(registry), StringComparison.OrdinalIgnoreCase);

    /// <summary>Strips the scheme and any path, and maps Docker Hub's several names to <c>docker.io</c>.</summary>
    public static string Normalize(string key)
    {
        string host = key.Trim();
        int scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            host = host[(scheme + 3)..];
        }

        // TODO: keys with a repository path (host/namespace) are matched as the whole registry. Containers
        // tools match the most specific path first, which needs the repository passed in here.
        int slash = host.IndexOf('/');
        if (slash >= 0)
        {
            host = host[..slash];
        }

        return DockerHubNames.Contains(host, StringComparer.OrdinalIgnoreCase) ? "docker.io" : host;
    }
}
