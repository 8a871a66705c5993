namespace OciBuild.IntegrationTests;

/// <summary>Environment variables that keep the machine user's stored registry credentials out of a test's processes.</summary>
public static class CredentialEnvironment
{
    /// <summary>
    /// Points every credential source that OciBuild reads at <paramref name="configHome"/>, with
    /// <paramref name="authFile"/> as the auth file, and clears the OCIBUILD_REGISTRY_* pair.
    /// </summary>
    public static Dictionary<string, string?> Isolated(string configHome, string authFile) => new()
    {
        ["REGISTRY_AUTH_FILE"] = authFile,
        ["DOCKER_CONFIG"] = Path.Combine(configHome, ".docker"),
        ["XDG_CONFIG_HOME"] = configHome,
        ["XDG_RUNTIME_DIR"] = null,
        ["OCIBUILD_REGISTRY_USERNAME"] = null,
        ["OCIBUILD_REGISTRY_PASSWORD"] = null,
    };
}
