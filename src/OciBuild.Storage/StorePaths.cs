namespace OciBuild.Storage;

/// <summary>Where the local store lives when the user does not say.</summary>
public static class StorePaths
{
    public const string EnvironmentVariable = "OCIBUILD_STORAGE";

    /// <summary>
    /// Returns <c>$OCIBUILD_STORAGE</c>, else <c>/var/lib/ocibuild/storage</c> for root and
    /// <c>$XDG_DATA_HOME/ocibuild/storage</c> (default <c>~/.local/share</c>) for other users,
    /// the same split that buildah and podman make for their stores.
    /// </summary>
    public static string DefaultRoot()
    {
        string? configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            return Path.GetFullPath(configured);
        }

        if (Environment.IsPrivilegedProcess)
        {
            return "/var/lib/ocibuild/storage";
        }

        string? dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (string.IsNullOrEmpty(dataHome))
        {
            dataHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        }

        return Path.Combine(dataHome, "ocibuild", "storage");
    }
}
