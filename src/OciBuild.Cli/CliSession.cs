using System.CommandLine;
using Microsoft.Extensions.Logging;
using OciBuild.Storage;
using OciBuild.Transport;
using OciBuild.Transport.Registry;

namespace OciBuild.Cli;

/// <summary>What one verb works with: the local store, a logger and the registry settings from its flags.</summary>
internal sealed class CliSession : IDisposable
{
    private CliSession(LocalImageStore store, ILogger logger, bool debug, TransportContext transport)
    {
        Store = store;
        Logger = logger;
        Debug = debug;
        Transport = transport;
    }

    public LocalImageStore Store { get; }

    public ILogger Logger { get; }

    public bool Debug { get; }

    public TransportContext Transport { get; }

    public static CliSession Create(ParseResult parseResult, RegistryFlags? registryFlags = null)
    {
        bool debug = parseResult.GetValue(GlobalOptions.Debug);
        string? root = parseResult.GetValue(GlobalOptions.Root);
        var store = new LocalImageStore(string.IsNullOrEmpty(root) ? StorePaths.DefaultRoot() : root);
        var logger = new ConsoleLogger(debug);

        bool tlsVerify = registryFlags is null || parseResult.GetValue(registryFlags.TlsVerify);
        string? credentialsText = registryFlags is null ? null : parseResult.GetValue(registryFlags.Credentials);
        var credentials = string.IsNullOrEmpty(credentialsText) ? null : RegistryCredentials.Parse(credentialsText);
        var transport = new TransportContext(
            store,
            _ => new RegistryOptions { TlsVerify = tlsVerify, Credentials = credentials, Logger = logger },
            logger);
        return new CliSession(store, logger, debug, transport);
    }

    public void Dispose() => Transport.Dispose();
}
