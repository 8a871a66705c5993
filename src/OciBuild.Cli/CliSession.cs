using System.CommandLine;
using Microsoft.Extensions.Logging;
using OciBuild.Core.Errors;
using OciBuild.Storage;
using OciBuild.Transport;
using OciBuild.Transport.Configuration;
using OciBuild.Transport.Registry;

namespace OciBuild.Cli;

/// <summary>What one verb works with: the local store, a logger and the registry settings from its flags.</summary>
internal sealed class CliSession : IDisposable
{
    private readonly Lazy<RegistryOptionsFactory> _registryOptions;

    private CliSession(LocalImageStore store, ILogger logger, bool debug, TransportContext transport, Lazy<RegistryOptionsFactory> registryOptions)
    {
        Store = store;
        Logger = logger;
        Debug = debug;
        Transport = transport;
        _registryOptions = registryOptions;
    }

    public LocalImageStore Store { get; }

    public ILogger Logger { get; }

    public bool Debug { get; }

    public TransportContext Transport { get; }

    /// <summary>The registries.conf settings, read on first use.</summary>
    public RegistriesConfiguration RegistriesConfiguration => _registryOptions.Value.Configuration;

    public static CliSession Create(ParseResult parseResult, RegistryFlags? registryFlags = null)
    {
        bool debug = parseResult.GetValue(GlobalOptions.Debug);
        string? root = parseResult.GetValue(GlobalOptions.Root);
        var store = new LocalImageStore(string.IsNullOrEmpty(root) ? StorePaths.DefaultRoot() : root);
        var logger = new ConsoleLogger(debug);
        // Verbs without registry flags work on the local store alone, so a broken registries.conf must not
        // stop them: their settings are read only if a registry is opened after all.
        var registryOptions = new Lazy<RegistryOptionsFactory>(() => CreateRegistryOptions(parseResult, registryFlags, logger));
        if (registryFlags is not null)
        {
            _ = registryOptions.Value;
        }

        var transport = new TransportContext(store, registry => registryOptions.Value.Create(registry), logger)
        {
            DockerHost = registryFlags?.DaemonHost is { } daemonHost ? parseResult.GetValue(daemonHost) : null,
        };
        return new CliSession(store, logger, debug, transport, registryOptions);
    }

    /// <summary>Makes the per-registry settings from the verb's flags over registries.conf, certs.d and stored credentials.</summary>
    public static RegistryOptionsFactory CreateRegistryOptions(ParseResult parseResult, RegistryFlags? registryFlags, ILogger logger)
    {
        var environment = UserEnvironment.Current;
        if (registryFlags is null)
        {
            return new RegistryOptionsFactory(environment, RegistriesConfiguration.Load(environment), logger);
        }

        string? credentialsText = parseResult.GetValue(registryFlags.Credentials);
        return new RegistryOptionsFactory(environment, RegistriesConfiguration.Load(environment), logger)
        {
            TlsVerify = parseResult.GetValue(registryFlags.TlsVerify),
            Credentials = string.IsNullOrEmpty(credentialsText) ? null : RegistryCredentials.Parse(credentialsText),
            CertificateDirectory = parseResult.GetValue(registryFlags.CertificateDirectory),
            ChunkSize = registryFlags.ChunkSize is null ? 0 : parseResult.GetValue(registryFlags.ChunkSize),
        };
    }

    /// <summary>
    /// Warns when the store folder does not exist, so that a mistyped --root or OCIBUILD_STORAGE is not
    /// mistaken for an empty store by the verbs that only list.
    /// </summary>
    public void WarnIfStoreMissing()
    {
        if (File.Exists(Store.Root))
        {
            throw new OciException(ErrorCodes.StoreError, $"the local store {Store.Root} is a file, not a folder; point --root or OCIBUILD_STORAGE at a folder");
        }

        if (!Directory.Exists(Store.Root))
        {
            Logger.LogWarning("the local store {Root} does not exist yet; check --root or OCIBUILD_STORAGE if you expected images there", Store.Root);
        }
    }

    public void Dispose() => Transport.Dispose();
}
