using OciBuild.Transport.Configuration;
using OciBuild.Transport.Registry;

namespace OciBuild.Transport.Credentials;

/// <summary>
/// Credentials from environment variables, for CI: <c>OCIBUILD_REGISTRY_&lt;REGISTRY&gt;_USERNAME</c> and
/// <c>..._PASSWORD</c> for one registry, else <c>OCIBUILD_REGISTRY_USERNAME</c> and
/// <c>OCIBUILD_REGISTRY_PASSWORD</c> for every registry. <c>&lt;REGISTRY&gt;</c> is the registry name in
/// upper case with every character other than a letter or digit replaced by <c>_</c>, so
/// <c>registry.example.com:5000</c> becomes <c>REGISTRY_EXAMPLE_COM_5000</c>.
/// </summary>
public static class EnvironmentCredentials
{
    public const string Prefix = "OCIBUILD_REGISTRY_";

    /// <summary>Returns the variable-name part for <paramref name="registry"/>, such as <c>127_0_0_1_5000</c>.</summary>
    public static string VariablePart(string registry)
    {
        var characters = registry.ToUpperInvariant().ToCharArray();
        for (int i = 0; i < characters.Length; i++)
        {
            if (!char.IsAsciiLetterOrDigit(characters[i]))
            {
                characters[i] = '_';
            }
        }

        return new string(characters);
    }

    /// <summary>Returns the credentials for <paramref name="registry"/>, or null when neither pair of variables is set whole.</summary>
    public static RegistryCredentials? Find(string registry, UserEnvironment environment)
    {
        string specific = Prefix + VariablePart(registry) + "_";
        return Read(environment, specific + "USERNAME", specific + "PASSWORD")
               ?? Read(environment, Prefix + "USERNAME", Prefix + "PASSWORD");
    }

    private static RegistryCredentials? Read(UserEnvironment environment, string userVariable, string passwordVariable)
    {
        string? user = environment.GetVariable(userVariable);
        string? password = environment.GetVariable(passwordVariable);
        if (user is null || password is null)
        {
            return null;
        }

        return new RegistryCredentials(user, password) { Source = $"environment variables {userVariable} and {passwordVariable}" };
    }
}
