using Microsoft.Extensions.Logging;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Storage;
using OciBuild.Transport.Archive;
using OciBuild.Transport.Daemon;
using OciBuild.Transport.Dir;
using OciBuild.Transport.Layout;
using OciBuild.Transport.Registry;
using OciBuild.Transport.Store;

namespace OciBuild.Transport;

/// <summary>
/// Opens image sources and destinations by location, sharing one registry client per registry and
/// the local store. The settings for each registry come from <c>registryOptions</c>.
/// </summary>
public sealed class TransportContext : IDisposable
{
    private readonly Func<string, RegistryOptions> _registryOptions;
    private readonly Dictionary<string, RegistryClient> _clients = new();
    private DockerDaemonClient? _daemonClient;

    public TransportContext(LocalImageStore store, Func<string, RegistryOptions> registryOptions, ILogger logger)
    {
        Store = store;
        _registryOptions = registryOptions;
        Logger = logger;
    }

    public LocalImageStore Store { get; }

    public ILogger Logger { get; }

    /// <summary>The Docker engine for <c>docker-daemon:</c>, as in <c>DOCKER_HOST</c>; null means <c>DOCKER_HOST</c>, else <c>unix:///var/run/docker.sock</c>.</summary>
    public string? DockerHost { get; init; }

    public RegistryClient GetRegistryClient(string registry)
    {
        lock (_clients)
        {
            if (!_clients.TryGetValue(registry, out var client))
            {
                client = new RegistryClient(registry, _registryOptions(registry));
                _clients[registry] = client;
            }

            return client;
        }
    }

    /// <summary>
    /// Opens an image for reading. A location without a transport is looked up in the local store
    /// first and in its registry after, as buildah does with its default pull policy. Sources of the
    /// archive and daemon transports unpack into temporary folders: dispose them when done
    /// (they implement <see cref="IDisposable"/>).
    /// </summary>
    public async Task<IImageSource> OpenSourceAsync(ImageLocation location, CancellationToken cancellationToken)
    {
        switch (location.Transport)
        {
            case TransportKind.LocalStore:
                return new StoreImageSource(Store, await Store.GetImageAsync(location.Text, cancellationToken).ConfigureAwait(false), location.Text);

            case TransportKind.Unspecified:
                var stored = await Store.FindImageAsync(location.Text, cancellationToken).ConfigureAwait(false);
                if (stored is not null)
                {
                    return new StoreImageSource(Store, stored, location.Text);
                }

                break;

            case TransportKind.OciLayout:
                return new OciLayoutSource(location.Path!, location.LayoutReference, location.ToString());

            case TransportKind.OciArchive:
                return await OciArchiveSource.OpenAsync(location.Path!, location.LayoutReference, cancellationToken).ConfigureAwait(false);

            case TransportKind.DockerArchive:
                var name = location.HasReference ? location.Reference : null;
                return await DockerArchiveSource.OpenAsync(location.Path!, name, location.ArchiveIndex, location.ToString(), cancellationToken).ConfigureAwait(false);

            case TransportKind.Directory:
                return new DirImageSource(location.Path!);

            case TransportKind.DockerDaemon:
                var imageName = location.HasReference ? location.Reference : null;
                return await DockerDaemonSource.OpenAsync(GetDaemonClient(), imageName, location.ImageId, cancellationToken).ConfigureAwait(false);
        }

        return new RegistryImageSource(GetRegistryClient(location.Reference.Registry), location.Reference);
    }

    /// <summary>
    /// Opens a destination; without a transport, the image goes to the local store. Destinations of the
    /// archive and daemon transports stage files in temporary folders: dispose them when done.
    /// </summary>
    public IImageDestination OpenDestination(ImageLocation location)
    {
        switch (location.Transport)
        {
            case TransportKind.Registry:
                return new RegistryImageDestination(GetRegistryClient(location.Reference.Registry), location.Reference);

            case TransportKind.OciLayout:
                return new OciLayoutDestination(location.Path!, location.ToString());

            case TransportKind.OciArchive:
                return new OciArchiveDestination(location.Path!);

            case TransportKind.DockerArchive:
                if (location.ArchiveIndex is not null)
                {
                    throw new OciException(ErrorCodes.UnsupportedOperation, $"{location} picks an image by index, which only works for reading; write to docker-archive:FILE or docker-archive:FILE:NAME:TAG");
                }

                return new DockerArchiveDestination(location.Path!, location.HasReference ? location.Reference : null, location.ToString());

            case TransportKind.Directory:
                return new DirImageDestination(location.Path!);

            case TransportKind.DockerDaemon:
                if (!location.HasReference)
                {
                    throw new OciException(ErrorCodes.UnsupportedOperation, $"{location} names an image by ID, which can only be read; write to docker-daemon:NAME:TAG");
                }

                return new DockerDaemonDestination(GetDaemonClient(), location.Reference);
        }

        var localName = ImageLocation.ParseLocalName(location.Text);
        return new StoreImageDestination(Store, localName.Name);
    }

    private DockerDaemonClient GetDaemonClient()
    {
        lock (_clients)
        {
            return _daemonClient ??= new DockerDaemonClient(DockerDaemonClient.ResolveHost(DockerHost));
        }
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        _daemonClient?.Dispose();
    }
}
