using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OciBuild.Transport.Credentials;
using OciBuild.Transport.Registry;

namespace OciBuild.Transport.Configuration;

/// <summary>
/// Makes the <see cref="RegistryOptions"/> of each registry from what the user set (flags or MSBuild
/// properties) and what the machine has: registries.conf, certs.d folders and stored credentials.
/// An explicit setting always wins over a file.
/// </summary>
public sealed class RegistryOptionsFactory
{
    private readonly UserEnvironment _environment;

    public RegistryOptionsFactory(UserEnvironment environment, RegistriesConfiguration configuration, ILogger? logger = null)
    {
        _environment = environment;
        Configuration = configuration;
        Logger = logger ?? NullLogger.Instance;
        CredentialResolver = new CredentialResolver(environment, Logger);
    }

    /// <summary>A factory over the current user's environment and registries.conf files.</summary>
    public static RegistryOptionsFactory ForCurrentUser(ILogger? logger = null)
        => new(UserEnvironment.Current, RegistriesConfiguration.Load(UserEnvironment.Current), logger);

    public RegistriesConfiguration Configuration { get; }

    public CredentialResolver CredentialResolver { get; }

    public ILogger Logger { get; }

    /// <summary>Credentials given explicitly; they are sent only to <see cref="CredentialsRegistry"/>, or to every registry when that is null.</summary>
    public RegistryCredentials? Credentials { get; init; }

    public string? CredentialsRegistry { get; init; }

    /// <summary><c>--tls-verify</c> or <c>OciTlsVerify</c> when given; null lets registries.conf decide, and verifies otherwise.</summary>
    public bool? TlsVerify { get; init; }

    /// <summary><c>--cert-dir</c> or <c>OciCertificateDirectory</c>; null looks in the certs.d folders of each registry.</summary>
    public string? CertificateDirectory { get; init; }

    /// <summary>Chunk size for uploads in bytes; 0 sends each blob in one request.</summary>
    public long ChunkSize { get; init; }

    public RegistryOptions Create(string registry)
    {
        bool insecure = TlsVerify.HasValue ? !TlsVerify.Value : Configuration.IsInsecure(registry);
        if (!TlsVerify.HasValue && insecure)
        {
            Logger.LogDebug("registry {Registry} is marked insecure in {Files}", registry, string.Join(", ", Configuration.Files));
        }

        bool explicitCredentialsApply = Credentials is not null && (CredentialsRegistry is null || CredentialsRegistry == registry);
        return new RegistryOptions
        {
            SkipCertificateVerification = insecure,
            AllowPlainHttp = insecure,
            CertificateDirectory = CertificateDirectory ?? RegistryCertificates.FindDirectory(registry, _environment),
            Credentials = explicitCredentialsApply ? Credentials : null,
            CredentialResolver = CredentialResolver,
            ChunkSize = ChunkSize,
            Logger = Logger,
        };
    }
}
