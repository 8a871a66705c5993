using System.CommandLine;

namespace OciBuild.Cli;

/// <summary>The flags of verbs that talk to registries, created anew for each verb.</summary>
internal sealed class RegistryFlags
{
    public Option<bool> TlsVerify { get; } = new("--tls-verify")
    {
        Description = "Verify registry certificates and require HTTPS; --tls-verify=false skips certificate checks and allows plain HTTP",
        DefaultValueFactory = _ => true,
    };

    public Option<string?> Credentials { get; } = new("--creds")
    {
        Description = "USER:PASSWORD for the registry",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(TlsVerify);
        command.Options.Add(Credentials);
    }
}
