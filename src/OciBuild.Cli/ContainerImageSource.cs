using OciBuild.Core;
using OciBuild.Storage;
using OciBuild.Transport;

namespace OciBuild.Cli;

/// <summary>
/// A working container's image before a commit: the image's layers from the local store
/// with the container's pending config, the base that <see cref="Transport.Building.ImageBuilder"/>
/// adds the container's changes to.
/// </summary>
internal sealed class ContainerImageSource : IImageSource
{
    private readonly LocalImageStore _store;
    private readonly byte[] _configBytes;
    private readonly ManifestContent _manifest;

    public ContainerImageSource(LocalImageStore store, ContainerRecord container, IReadOnlyList<Descriptor> layers, ImageConfig config)
    {
        _store = store;
        _configBytes = OciJson.Serialize(config);
        var manifest = new ImageManifest
        {
            MediaType = MediaTypes.OciManifest,
            Config = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = Digest.Compute(_configBytes), Size = _configBytes.LongLength },
            Layers = layers,
        };
        byte[] manifestBytes = OciJson.Serialize(manifest);
        _manifest = new ManifestContent(manifestBytes, MediaTypes.OciManifest, Digest.Compute(manifestBytes));
        Description = $"working container {container.Name}";
    }

    public string Description { get; }

    public Task<ManifestContent> GetManifestAsync(Digest? digest, CancellationToken cancellationToken) => Task.FromResult(_manifest);

    public Task<Stream> OpenBlobAsync(Descriptor blob, CancellationToken cancellationToken)
        => Task.FromResult(blob.Digest == Digest.Compute(_configBytes)
            ? new MemoryStream(_configBytes, writable: false)
            : _store.Blobs.Open(blob.Digest, blob.Size));
}
