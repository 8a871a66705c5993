using OciBuild.Core;
using OciBuild.Storage;

namespace OciBuild.Transport.Building;

/// <summary>
/// A new image that exists only as a manifest, a config and new layer files, reading every other blob
/// from its base image. Used as a copy source, it moves base layers straight from the base image's
/// location to the destination (or mounts them) without storing them here first.
/// </summary>
public sealed class BuiltImage : IImageSource
{
    private readonly IImageSource? _baseImage;
    private readonly byte[] _configBytes;
    private readonly Dictionary<Digest, NewLayer> _newLayers;

    internal BuiltImage(IImageSource? baseImage, ManifestContent manifest, ImageManifest parsedManifest, byte[] configBytes, ImageConfig config, IReadOnlyList<NewLayer> newLayers)
    {
        _baseImage = baseImage;
        Manifest = manifest;
        ParsedManifest = parsedManifest;
        _configBytes = configBytes;
        Config = config;
        _newLayers = newLayers.ToDictionary(l => l.Layer.Digest);
    }

    public ManifestContent Manifest { get; }

    public ImageManifest ParsedManifest { get; }

    public ImageConfig Config { get; }

    /// <summary>The image ID: the digest of the config.</summary>
    public Digest ConfigDigest => ParsedManifest.Config.Digest;

    public string Description => "the built image";

    public Task<ManifestContent> GetManifestAsync(Digest? digest, CancellationToken cancellationToken)
    {
        if (digest is not null && digest != Manifest.Digest)
        {
            throw new ArgumentException($"the built image has no manifest {digest}", nameof(digest));
        }

        return Task.FromResult(Manifest);
    }

    public Task<Stream> OpenBlobAsync(Descriptor blob, CancellationToken cancellationToken)
    {
        if (blob.Digest == ParsedManifest.Config.Digest)
        {
            return Task.FromResult<Stream>(new MemoryStream(_configBytes, writable: false));
        }

        if (_newLayers.TryGetValue(blob.Digest, out var layer))
        {
            var file = new FileStream(layer.BlobPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            return Task.FromResult<Stream>(new VerifyingStream(file, blob.Digest, blob.Size, $"layer file {layer.BlobPath}"));
        }

        if (_baseImage is null)
        {
            throw new ArgumentException($"the built image has no blob {blob.Digest}", nameof(blob));
        }

        return _baseImage.OpenBlobAsync(blob, cancellationToken);
    }

    public ImageReference? GetBlobLocation(Descriptor blob)
        => _newLayers.ContainsKey(blob.Digest) || blob.Digest == ParsedManifest.Config.Digest ? null : _baseImage?.GetBlobLocation(blob);
}
