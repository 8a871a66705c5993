namespace OciBuild.Transport.Configuration;

/// <summary>
/// The environment that credential, certificate and registries.conf lookups read: variables and the
/// home folder. Tests pass their own so that they never read or change the real user's files.
/// </summary>
public sealed class UserEnvironment
{
    private readonly Func<string, string?> _getVariable;

    public UserEnvironment(Func<string, string?> getVariable, string homeDirectory)
    {
        _getVariable = getVariable;
        HomeDirectory = homeDirectory;
    }

    /// <summary>The process's own environment and <c>$HOME</c> (else the profile folder .NET reports).</summary>
    public static UserEnvironment Current { get; } = new(
        Environment.GetEnvironmentVariable,
        Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    public string HomeDirectory { get; }

    /// <summary>Returns the variable's value, or null when it is unset or empty.</summary>
    public string? GetVariable(string name) => _getVariable(name) is { Length: > 0 } value ? value : null;
}
