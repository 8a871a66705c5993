using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OciBuild.Transport.Configuration;
using OciBuild.Transport.Registry;

namespace OciBuild.Transport.Credentials;

/// <summary>
/// Finds the stored credentials for a registry. The first source that has some wins:
/// <list type="number">
/// <item>the environment variables that <see cref="EnvironmentCredentials"/> describes;</item>
/// <item>containers auth files: <c>$REGISTRY_AUTH_FILE</c>, <c>$XDG_RUNTIME_DIR/containers/auth.json</c>,
/// <c>$XDG_CONFIG_HOME/containers/auth.json</c> (default <c>~/.config</c>);</item>
/// <item>Docker's <c>$DOCKER_CONFIG/config.json</c> (default <c>~/.docker</c>).</item>
/// </list>
/// In each file, a <c>credHelpers</c> entry for the registry comes first, then the <c>credsStore</c>
/// helper, then the <c>auths</c> entry. Explicit credentials (<c>--creds</c>, <c>OciCreds</c>) are applied
/// by the caller before any of these.
/// </summary>
public sealed class CredentialResolver
{
    private readonly UserEnvironment _environment;
    private readonly ILogger _logger;

    public CredentialResolver(UserEnvironment environment, ILogger? logger = null)
    {
        _environment = environment;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The resolver over the process's environment and home folder.</summary>
    public static CredentialResolver ForCurrentUser(ILogger? logger = null) => new(UserEnvironment.Current, logger);

    /// <summary>The file that <c>login</c> writes and <c>logout</c> edits, as podman chooses it.</summary>
    public string DefaultAuthFilePath
        => _environment.GetVariable("REGISTRY_AUTH_FILE")
           ?? (_environment.GetVariable("XDG_RUNTIME_DIR") is { } runtime
               ? Path.Combine(runtime, "containers", "auth.json")
               : Path.Combine(ConfigHome, "containers", "auth.json"));

    /// <summary>Every file searched, in order, whether it exists or not.</summary>
    public IReadOnlyList<string> SearchedFiles
    {
        get
        {
            var files = new List<string>();
            if (_environment.GetVariable("REGISTRY_AUTH_FILE") is { } authFile)
            {
                files.Add(authFile);
            }

            if (_environment.GetVariable("XDG_RUNTIME_DIR") is { } runtime)
            {
                files.Add(Path.Combine(runtime, "containers", "auth.json"));
            }

            files.Add(Path.Combine(ConfigHome, "containers", "auth.json"));
            files.Add(Path.Combine(_environment.GetVariable("DOCKER_CONFIG") ?? Path.Combine(_environment.HomeDirectory, ".docker"), "config.json"));
            return files.Distinct(StringComparer.Ordinal).ToList();
        }
    }

    private string ConfigHome => _environment.GetVariable("XDG_CONFIG_HOME") ?? Path.Combine(_environment.HomeDirectory, ".config");

    /// <summary>Returns the credentials for <paramref name="registry"/> from the first source that has them, or null.</summary>
    public async Task<RegistryCredentials?> FindAsync(string registry, CancellationToken cancellationToken)
    {
        if (EnvironmentCredentials.Find(registry, _environment) is { } fromEnvironment)
        {
            _logger.LogDebug("using credentials for {Registry} from {Source}", registry, fromEnvironment.Source);
            return fromEnvironment;
        }

        foreach (string path in SearchedFiles)
        {
            var found = await FindInFileAsync(path, registry, cancellationToken).ConfigureAwait(false);
            if (found is not null)
            {
                _logger.LogDebug("using credentials for {Registry} from {Source}", registry, found.Source);
                return found;
            }
        }

        _logger.LogDebug("no stored credentials for {Registry} in the environment or in {Files}", registry, string.Join(", ", SearchedFiles));
        return null;
    }

    private async Task<RegistryCredentials?> FindInFileAsync(string path, string registry, CancellationToken cancellationToken)
    {
        var file = AuthFile.Load(path);
        string? helper = file.GetCredentialHelper(registry) ?? file.CredentialsStore;
        if (helper is not null)
        {
            var fromHelper = await CredentialHelper.GetAsync(helper, registry, _environment, _logger, cancellationToken).ConfigureAwait(false);
            if (fromHelper is not null)
            {
                return fromHelper;
            }
        }

        return file.GetCredentials(registry);
    }
}
