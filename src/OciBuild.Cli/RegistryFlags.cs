using System.CommandLine;

namespace OciBuild.Cli;

/// <summary>The flags of verbs that talk to registries and Docker engines, created anew for each verb.</summary>
internal sealed class RegistryFlags
{
    /// <param name="withChunkSize">Adds <c>--chunk-size</c>, for verbs that upload blobs.</param>
    /// <param name="withDaemonHost">Adds <c>--daemon-host</c>, for verbs that take <c>docker-daemon:</c> images.</param>
    public RegistryFlags(bool withChunkSize = false, bool withDaemonHost = true)
    {
        DaemonHost = withDaemonHost ? CreateDaemonHost() : null;
        if (withChunkSize)
        {
            ChunkSize = new Option<long>("--chunk-size")
            {
                Description = "Upload blobs larger than BYTES in PATCH chunks of BYTES; 0 (the default) sends each blob in one request",
                HelpName = "BYTES",
            };
            ChunkSize.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<long>() < 0)
                {
                    result.AddError("--chunk-size must be 0 or a positive number of bytes");
                }
            });
        }
    }

    /// <summary>Null when the flag is absent, so that registries.conf can decide.</summary>
    public Option<bool?> TlsVerify { get; } = new("--tls-verify")
    {
        Description = "Verify registry certificates and require HTTPS (default: true, or false for registries marked insecure in registries.conf); --tls-verify=false skips certificate checks and allows plain HTTP",
    };

    public Option<string?> Credentials { get; } = new("--creds")
    {
        Description = "USER:PASSWORD for the registry; without it, credentials come from OCIBUILD_REGISTRY_USERNAME/PASSWORD, auth.json or the Docker config",
        HelpName = "USER:PASSWORD",
    };

    public Option<string?> CertificateDirectory { get; } = new("--cert-dir")
    {
        Description = "Folder with CA certificates (*.crt) and client certificates (*.cert with *.key) for the registry, instead of /etc/containers/certs.d/REGISTRY",
        HelpName = "DIR",
    };

    public Option<long>? ChunkSize { get; }

    /// <summary>Null for verbs that read and write no Docker engine. The flag's value is null when it is absent, so that <c>DOCKER_HOST</c> can decide.</summary>
    public Option<string?>? DaemonHost { get; }

    public void AddTo(Command command)
    {
        command.Options.Add(TlsVerify);
        command.Options.Add(Credentials);
        command.Options.Add(CertificateDirectory);
        if (DaemonHost is not null)
        {
            command.Options.Add(DaemonHost);
        }

        if (ChunkSize is not null)
        {
            command.Options.Add(ChunkSize);
        }
    }

    private static Option<string?> CreateDaemonHost() => new("--daemon-host")
    {
        Description = "The Docker engine's API socket for docker-daemon: images, as unix:///PATH (default: $DOCKER_HOST, else unix:///var/run/docker.sock)",
        HelpName = "unix:///PATH",
    };
}
