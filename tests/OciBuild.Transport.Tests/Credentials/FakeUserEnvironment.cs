using OciBuild.Transport.Configuration;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Credentials;

/// <summary>A home folder and environment variables of a pretend user, in a temporary folder, so that tests never touch the real user's files.</summary>
internal sealed class FakeUserEnvironment : IDisposable
{
    private readonly TempDirectory _temp = new();

    public FakeUserEnvironment()
    {
        Home = Path.Combine(_temp.Path, "home");
        Directory.CreateDirectory(Home);
        BinDirectory = Path.Combine(_temp.Path, "bin");
        Directory.CreateDirectory(BinDirectory);
        Variables["PATH"] = BinDirectory;
    }

    public string Home { get; }

    /// <summary>The only folder on the pretend user's PATH, for fake credential helpers.</summary>
    public string BinDirectory { get; }

    public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal);

    public string Root => _temp.Path;

    public UserEnvironment Environment => new(name => Variables.GetValueOrDefault(name), Home);

    public string ContainersAuthFile => Path.Combine(Home, ".config", "containers", "auth.json");

    public string DockerConfigFile => Path.Combine(Home, ".docker", "config.json");

    public static string AuthValue(string user, string password) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}"));

    /// <summary>Writes <c>{"auths": {registry: {"auth": ...}}}</c> plus any extra top-level JSON members to <paramref name="path"/>.</summary>
    public static void WriteAuthFile(string path, string registry, string user, string password, string extraMembers = "")
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string extra = extraMembers.Length > 0 ? ", " + extraMembers : "";
        File.WriteAllText(path, $$$"""{"auths": {"{{{registry}}}": {"auth": "{{{AuthValue(user, password)}}}"}}{{{extra}}}}""");
    }

    /// <summary>
    /// Writes <c>docker-credential-NAME</c>, a shell script that records the server URL it read and prints
    /// <paramref name="user"/> and <paramref name="password"/> for <paramref name="registry"/> only, failing
    /// with Docker's "not found" message otherwise.
    /// </summary>
    public string WriteCredentialHelper(string name, string registry, string user, string password)
    {
        string script = Path.Combine(BinDirectory, "docker-credential-" + name);
        string log = Path.Combine(Root, name + ".requests");
        File.WriteAllText(script, $$"""
            #!/bin/sh
            [ "$1" = get ] || exit 2
            read -r server
            echo "$server" >> '{{log}}'
            if [ "$server" = '{{registry}}' ]; then
              printf '{"ServerURL":"%s","Username":"{{user}}","Secret":"{{password}}"}' "$server"
            else
              echo 'credentials not found in native keychain'
              exit 1
            fi
            """.Replace("\r", ""));
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return log;
    }

    public void Dispose() => _temp.Dispose();
}
