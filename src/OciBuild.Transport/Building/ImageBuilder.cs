using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Transport.Building;

/// <summary>
/// Puts new layers and settings on top of a base image and returns the result as an
/// <see cref="IImageSource"/> that <see cref="ImageCopier"/> writes to any destination.
/// </summary>
public static class ImageBuilder
{
    public const string BaseNameAnnotation = "org.opencontainers.image.base.name";
    public const string BaseDigestAnnotation = "org.opencontainers.image.base.digest";

    /// <param name="baseImage">The base image, or null to start from an empty (scratch) image.</param>
    /// <param name="baseName">The base image's reference, recorded in the manifest's annotations.</param>
    public static async Task<BuiltImage> BuildAsync(IImageSource? baseImage, string? baseName, Platform platform, ImageSettings settings, IReadOnlyList<NewLayer> layers, CancellationToken cancellationToken)
    {
        var resolved = await ResolveBaseAsync(baseImage, platform, cancellationToken).ConfigureAwait(false);
        return Build(resolved, baseName, settings, layers);
    }

    /// <summary>
    /// Reads the manifest and config of <paramref name="baseImage"/> for <paramref name="platform"/>, so that
    /// a caller can fetch them while its new layers are still being built.
    /// </summary>
    /// <param name="baseImage">The base image, or null to start from an empty (scratch) image.</param>
    public static Task<ResolvedBaseImage> ResolveBaseAsync(IImageSource? baseImage, Platform platform, CancellationToken cancellationToken)
        => ResolveBaseAsync(baseImage, platform, configCache: null, cancellationToken);

    /// <summary>
    /// Reads the manifest and config of <paramref name="baseImage"/> for <paramref name="platform"/>, taking the
    /// config from <paramref name="configCache"/> when it has the digest that the manifest names.
    /// </summary>
    /// <param name="baseImage">The base image, or null to start from an empty (scratch) image.</param>
    /// <param name="configCache">Configs kept from earlier publishes, or null to always download the config.</param>
    public static async Task<ResolvedBaseImage> ResolveBaseAsync(IImageSource? baseImage, Platform platform, BaseConfigCache? configCache, CancellationToken cancellationToken)
    {
        ImageConfig baseConfig;
        IReadOnlyList<Descriptor> baseLayers;
        Digest? baseDigest = null;
        if (baseImage is null)
        {
            baseConfig = new ImageConfig { Architecture = platform.Architecture, Os = platform.Os, Variant = platform.Variant };
            baseLayers = [];
        }
        else
        {
            var baseManifestContent = await ImageCopier.ResolveManifestAsync(baseImage, platform, cancellationToken).ConfigureAwait(false);
            var baseManifest = OciJson.Deserialize<ImageManifest>(baseManifestContent.Bytes, $"manifest of base image {baseImage.Description}");
            baseConfig = await ReadConfigAsync(baseImage, baseManifest.Config, configCache, cancellationToken).ConfigureAwait(false);
            baseLayers = baseManifest.Layers;
            baseDigest = baseManifestContent.Digest;
            CheckBasePlatform(baseImage, baseConfig, platform);
            if (baseConfig.RootFs.DiffIds.Count != baseLayers.Count)
            {
                throw new OciException(ErrorCodes.InvalidConfig, $"base image {baseImage.Description} lists {baseLayers.Count} layers but {baseConfig.RootFs.DiffIds.Count} diff IDs");
            }
        }

        return new ResolvedBaseImage(baseImage, baseConfig, baseLayers, baseDigest);
    }

    /// <summary>Puts <paramref name="layers"/> and <paramref name="settings"/> on top of a base image that <see cref="ResolveBaseAsync"/> read.</summary>
    /// <param name="baseName">The base image's reference, recorded in the manifest's annotations.</param>
    public static BuiltImage Build(ResolvedBaseImage resolved, string? baseName, ImageSettings settings, IReadOnlyList<NewLayer> layers)
    {
        var (baseImage, baseConfig, baseLayers, baseDigest) = resolved;
        if (baseName is not null && baseDigest is not null && (settings.LabelBaseName || settings.LabelBaseDigest))
        {
            settings = settings with { Labels = WithBaseImageLabels(settings, baseName, baseDigest.Value) };
        }

        var config = ConfigAssembler.Assemble(baseConfig, settings, layers);
        byte[] configBytes = OciJson.Serialize(config);
        var configDescriptor = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = Digest.Compute(configBytes), Size = configBytes.LongLength };

        var manifestLayers = baseLayers.Select(ToOciLayer)
            .Concat(layers.Select(l => new Descriptor { MediaType = l.Layer.MediaType, Digest = l.Layer.Digest, Size = l.Layer.Size }))
            .ToList();
        var annotations = new Dictionary<string, string>();
        if (baseName is not null && baseDigest is not null)
        {
            annotations[BaseNameAnnotation] = baseName;
            annotations[BaseDigestAnnotation] = baseDigest.Value.ToString();
        }

        foreach (var (name, value) in settings.Annotations)
        {
            annotations[name] = value;
        }

        var manifest = new ImageManifest
        {
            MediaType = MediaTypes.OciManifest,
            Config = configDescriptor,
            Layers = manifestLayers,
            Annotations = annotations.Count > 0 ? annotations : null,
        };
        byte[] manifestBytes = OciJson.Serialize(manifest);
        var manifestContent = new ManifestContent(manifestBytes, MediaTypes.OciManifest, Digest.Compute(manifestBytes));
        return new BuiltImage(baseImage, manifestContent, manifest, configBytes, config, layers);
    }

    // An index base was resolved by platform already, but a single-manifest base is taken as it is, and
    // new layers for another architecture on top of it would give an image that cannot run anywhere.
    // A variant is not compared, because single-platform configs often leave it out.
    private static void CheckBasePlatform(IImageSource baseImage, ImageConfig baseConfig, Platform platform)
    {
        if (baseConfig.Os == platform.Os && baseConfig.Architecture == platform.Architecture)
        {
            return;
        }

        throw new OciException(ErrorCodes.BasePlatformMismatch,
            $"base image {baseImage.Description} is a {baseConfig.Os}/{baseConfig.Architecture} image, but the new image is for {platform}; use a base image whose index lists {platform}, or build for {baseConfig.Os}/{baseConfig.Architecture}");
    }

    // The label names are the manifest annotation names: image-spec defines them as both.
    private static Dictionary<string, string> WithBaseImageLabels(ImageSettings settings, string baseName, Digest baseDigest)
    {
        var result = new Dictionary<string, string>();
        if (settings.LabelBaseName)
        {
            result[BaseNameAnnotation] = baseName;
        }

        if (settings.LabelBaseDigest)
        {
            result[BaseDigestAnnotation] = baseDigest.ToString();
        }

        foreach (var (name, value) in settings.Labels)
        {
            result[name] = value;
        }

        return result;
    }

    private static async Task<ImageConfig> ReadConfigAsync(IImageSource source, Descriptor descriptor, BaseConfigCache? configCache, CancellationToken cancellationToken)
    {
        if (descriptor.Size > OciJson.MaxDocumentSize)
        {
            throw new OciException(ErrorCodes.InvalidConfig, $"the config of {source.Description} is {descriptor.Size} bytes, over the limit of {OciJson.MaxDocumentSize}");
        }

        byte[]? bytes = configCache?.TryRead(descriptor);
        if (bytes is null)
        {
            // The source's stream checks size and digest when it ends, so only verified bytes reach the cache.
            await using var stream = await source.OpenBlobAsync(descriptor, cancellationToken).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            bytes = buffer.ToArray();
            configCache?.Write(descriptor, bytes);
        }

        return OciJson.Deserialize<ImageConfig>(bytes, $"config of {source.Description}");
    }

    // Docker's layer media types name the same bytes as OCI's, so the digests stay valid.
    private static Descriptor ToOciLayer(Descriptor layer) => layer.MediaType switch
    {
        MediaTypes.DockerLayerGzip => layer with { MediaType = MediaTypes.OciLayerGzip },
        MediaTypes.DockerForeignLayerGzip => layer with { MediaType = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip" },
        _ => layer,
    };
}
