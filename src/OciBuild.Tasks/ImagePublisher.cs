using Microsoft.Extensions.Logging;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Layers;
using OciBuild.Storage;
using OciBuild.Tasks.EarlyUpload;
using OciBuild.Tasks.Sbom;
using OciBuild.Transport;
using OciBuild.Transport.Building;
using OciBuild.Transport.Configuration;
using OciBuild.Transport.Registry;

namespace OciBuild.Tasks;

/// <summary>
/// Turns a publish folder into an image: layers under the working directory (one per kind of file,
/// or one for everything), a config on top of the base image, and a copy to the registry, the local
/// store or an archive file. The MSBuild task is a thin adapter over this class.
/// </summary>
public sealed class ImagePublisher
{
    // A subfolder of the layer cache, whose own cleanup deletes only the files directly inside it.
    private const string BaseConfigFolder = "base-configs";

    private readonly ILogger _logger;

    public ImagePublisher(ILogger logger)
    {
        _logger = logger;
    }

    /// <summary>
    /// Builds the image, or one image per entry of <see cref="PublishRequest.Platforms"/> and an index
    /// over them, and writes it to the destination under every tag.
    /// </summary>
    public async Task<PublishResult> PublishAsync(PublishRequest request, CancellationToken cancellationToken)
    {
        var timeline = new PublishTimeline(_logger);
        var imageRequests = request.ForEachPlatform();
        foreach (var imageRequest in imageRequests)
        {
            ValidatePublishDirectory(imageRequest.PublishDirectory);
        }

        if (request.Platforms.Count > 0)
        {
            PlatformPublishValidator.Validate(request);
        }

        var credentials = string.IsNullOrEmpty(request.Credentials) ? null : RegistryCredentials.Parse(request.Credentials);
        var destination = DestinationLocation(request);
        var store = new LocalImageStore(request.LocalStoreRoot ?? StorePaths.DefaultRoot());
        var environment = UserEnvironment.Current;
        var registryOptions = new RegistryOptionsFactory(environment, RegistriesConfiguration.Load(environment), _logger)
        {
            TlsVerify = request.TlsVerify,
            // Explicit credentials belong to the destination registry; sending them to another host would leak
            // them. Other registries get the credentials stored for them.
            Credentials = credentials,
            CredentialsRegistry = destination.Transport == TransportKind.Registry ? destination.Reference.Registry : null,
            CertificateDirectory = request.CertificateDirectory,
            ChunkSize = request.ChunkSize,
        };
        using var context = new TransportContext(store, registryOptions.Create, _logger);
        await using var earlyUploads = EarlyLayerUploads.For(context, destination, request.ChunkSize, _logger, cancellationToken);

        // The destination's client setup, scheme probe and first connection, and the read of the SBOM's packages,
        // run on the thread pool beside the layer builds and the base image's requests. An SBOM error still stops
        // the publish before any push.
        using var connectCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var connect = destination.Transport == TransportKind.Registry
            ? Task.Run(() => context.GetRegistryClient(destination.Reference.Registry).ConnectAsync(connectCancellation.Token), connectCancellation.Token)
            : Task.CompletedTask;

        var prepareSbom = Task.Run(() => PrepareSbom(request, destination), cancellationToken);

        // Without a cache folder the layers live in a temporary one for the length of this publish.
        var caches = new Dictionary<string, LayerCache>(StringComparer.Ordinal);
        var configCaches = new Dictionary<string, BaseConfigCache>(StringComparer.Ordinal);
        var temporaryCaches = new List<string>();
        Task? sbomBlobs = null;
        try
        {
            var baseImages = new Dictionary<string, IImageSource?>(StringComparer.Ordinal);
            var images = new List<BuiltImage>();
            foreach (var imageRequest in imageRequests)
            {
                string cacheDirectory = imageRequest.LayerCacheDirectory ?? TemporaryCache(temporaryCaches);
                if (!caches.TryGetValue(cacheDirectory, out var cache))
                {
                    cache = new LayerCache(cacheDirectory, _logger) { EarlyUploads = earlyUploads };
                    caches[cacheDirectory] = cache;
                }

                // Kept beside the layers under obj/ only; a temporary layer folder would not outlive this publish.
                BaseConfigCache? configCache = null;
                if (imageRequest.LayerCacheDirectory is not null && !configCaches.TryGetValue(cacheDirectory, out configCache))
                {
                    configCache = new BaseConfigCache(Path.Combine(cacheDirectory, BaseConfigFolder), _logger);
                    configCaches[cacheDirectory] = configCache;
                }

                // The layers build on the thread pool while the base image's manifest and config are read, from a
                // registry for example. Both tasks end before the cache folder is deleted, and a layer error wins
                // over a base image one, because Task.WhenAll raises the first task's exception first.
                var buildLayers = timeline.MarkWhenDone(Task.Run(() => BuildLayersAsync(imageRequest, cache, cancellationToken), cancellationToken), "layers ready");
                var resolveBase = timeline.MarkWhenDone(ResolveBaseAsync(context, imageRequest, baseImages, configCache, cancellationToken), "base image resolved");
                await Task.WhenAll(buildLayers, resolveBase).ConfigureAwait(false);

                var (entrypoint, cmd) = imageRequest.StartCommand.Resolve(DefaultAppCommand(imageRequest));
                var settings = imageRequest.Settings with { Entrypoint = entrypoint, Cmd = cmd };
                images.Add(ImageBuilder.Build(await resolveBase.ConfigureAwait(false), imageRequest.BaseImage, settings, await buildLayers.ConfigureAwait(false)));
            }

            var sbom = await prepareSbom.ConfigureAwait(false);
            sbomBlobs = sbom?.PushBlobsAsync(context.GetRegistryClient(destination.Reference.Registry), destination.Reference.Repository, images[0], _logger, cancellationToken);
            var target = context.OpenDestination(destination);

            // The copy may start while early uploads still commit, because it checks for their blobs only after they end.
            var copyTarget = earlyUploads is null ? target : new EarlyUploadDestination(target, earlyUploads);
            PublishResult result;
            try
            {
                // The local store is locked for the whole copy, so that a concurrent removal cannot collect
                // blobs in between.
                using var storeLock = destination.Transport == TransportKind.LocalStore
                    ? await store.LockAsync(cancellationToken).ConfigureAwait(false)
                    : null;
                result = request.Platforms.Count > 0
                    ? await CopyIndexAsync(request, images, destination, copyTarget, cancellationToken).ConfigureAwait(false)
                    : await CopyImageAsync(request, images[0], destination, copyTarget, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // Archive destinations stage their content in a scratch folder until they are disposed.
                (target as IDisposable)?.Dispose();
            }

            timeline.Mark("image written");
            if (sbom is not null)
            {
                await sbomBlobs!.ConfigureAwait(false);
                var client = context.GetRegistryClient(destination.Reference.Registry);
                await sbom.AttachAsync(client, destination.Reference.Repository, images[0], _logger, cancellationToken).ConfigureAwait(false);
                timeline.Mark("SBOM attached");
            }

            foreach (var cache in caches.Values)
            {
                cache.RemoveUnused();
            }

            foreach (var configCache in configCaches.Values)
            {
                configCache.RemoveUnused();
            }

            return result;
        }
        finally
        {
            // When the publish failed, these background tasks may still run, and they log through the MSBuild
            // task's logger, which must not be used after the task returns. Their own errors no longer matter here.
            await connectCancellation.CancelAsync().ConfigureAwait(false);
            await Task.WhenAny(connect).ConfigureAwait(false);
            await Task.WhenAny(prepareSbom).ConfigureAwait(false);
            await Task.WhenAny(sbomBlobs ?? Task.CompletedTask).ConfigureAwait(false);

            foreach (string temporaryCache in temporaryCaches)
            {
                Directory.Delete(temporaryCache, recursive: true);
            }
        }
    }

    private static async Task<ResolvedBaseImage> ResolveBaseAsync(TransportContext context, PublishRequest imageRequest, Dictionary<string, IImageSource?> opened, BaseConfigCache? configCache, CancellationToken cancellationToken)
    {
        var baseImage = await OpenBaseImageAsync(context, imageRequest.BaseImage, opened, cancellationToken).ConfigureAwait(false);
        return await ImageBuilder.ResolveBaseAsync(baseImage, imageRequest.Platform, configCache, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IImageSource?> OpenBaseImageAsync(TransportContext context, string? baseImage, Dictionary<string, IImageSource?> opened, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(baseImage) || baseImage == "scratch")
        {
            return null;
        }

        if (!opened.TryGetValue(baseImage, out var source))
        {
            source = await context.OpenSourceAsync(ImageLocation.Parse(baseImage), cancellationToken).ConfigureAwait(false);
            opened[baseImage] = source;
        }

        return source;
    }

    private static string TemporaryCache(List<string> temporaryCaches)
    {
        string directory = Directory.CreateTempSubdirectory("ocibuild-layers-").FullName;
        temporaryCaches.Add(directory);
        return directory;
    }

    private async Task<PublishResult> CopyImageAsync(PublishRequest request, BuiltImage image, ImageLocation destination, IImageDestination target, CancellationToken cancellationToken)
    {
        // A docker-archive names its one image inside the location; the other destinations take every tag.
        IReadOnlyList<string> tags = destination.Transport == TransportKind.DockerArchive ? [destination.Tag] : request.Tags;
        var copy = await new ImageCopier(_logger).CopyAsync(image, target, tags, request.Platform, cancellationToken).ConfigureAwait(false);
        return new PublishResult(References(request, destination), copy.ManifestDigest, copy.ConfigDigest, copy.ManifestMediaType);
    }

    private async Task<PublishResult> CopyIndexAsync(PublishRequest request, IReadOnlyList<BuiltImage> images, ImageLocation destination, IImageDestination target, CancellationToken cancellationToken)
    {
        var entries = images.Select((image, i) => ((IImageSource)image, request.Platforms[i].Platform)).ToList();
        var copy = await new ImageCopier(_logger).CopyIndexAsync(entries, target, request.Tags, cancellationToken).ConfigureAwait(false);
        for (int i = 0; i < copy.Images.Count; i++)
        {
            _logger.LogInformation("image for {RuntimeIdentifier} ({Platform}): manifest {Digest}, image ID {ImageId}", request.Platforms[i].RuntimeIdentifier, request.Platforms[i].Platform, copy.Images[i].ManifestDigest, copy.Images[i].ConfigDigest);
        }

        return new PublishResult(References(request, destination), copy.IndexDigest, null, copy.MediaType);
    }

    private static IReadOnlyList<string> References(PublishRequest request, ImageLocation destination)
        => destination.HasReference && destination.Transport != TransportKind.DockerArchive
            ? request.Tags.Select(t => $"{destination.Reference.Name}:{t}").ToList()
            : [destination.ToString()];

    /// <summary>Reads the SBOM's packages before the push, or returns null when no SBOM goes with this destination.</summary>
    private SbomAttacher? PrepareSbom(PublishRequest request, ImageLocation destination)
    {
        if (request.Sbom is null)
        {
            return null;
        }

        // NOTE: an image index gets no SBOM yet, because each platform's packages come from the assets
        // file of its own inner build, which this outer task does not read.
        if (request.Platforms.Count > 0)
        {
            _logger.LogInformation("no SBOM is attached to the multi-platform image index of {Destination}; set OciSbom=false to silence this message", destination);
            return null;
        }

        // Copies out of the local store or an archive (ocibuild push, skopeo copy) do not carry referrers
        // along, so an SBOM stored there would not reach the registry the image ends up in.
        if (destination.Transport != TransportKind.Registry)
        {
            _logger.LogWarning("OciSbom=true: the SBOM is attached only to images pushed to a registry, so {Destination} gets none; set OciRegistry to attach one", destination);
            return null;
        }

        return SbomAttacher.Prepare(request.Sbom);
    }

    private static ImageLocation DestinationLocation(PublishRequest request)
    {
        if (request.Tags.Count == 0)
        {
            throw new OciException(ErrorCodes.InvalidArgument, "no image tag given; set OciTags (for example latest or 1.0;latest)");
        }

        string repository = $"{request.Repository}:{request.Tags[0]}";
        if (request.ArchiveOutputPath is not null)
        {
            return ImageLocation.Parse(request.DockerArchive
                ? $"docker-archive:{ArchivePath(request)}:{repository}"
                : $"oci-archive:{ArchivePath(request)}:{request.Tags[0]}");
        }

        return string.IsNullOrEmpty(request.Registry)
            ? new ImageLocation(TransportKind.LocalStore, ImageLocation.ParseLocalName(repository), repository)
            : ImageLocation.Parse($"docker://{request.Registry}/{repository}");
    }

    /// <summary>Returns the archive file: the path itself, or REPOSITORY.tar inside it when it names a folder.</summary>
    private static string ArchivePath(PublishRequest request)
    {
        string path = request.ArchiveOutputPath!;
        if (path.Contains(':'))
        {
            throw new OciException(ErrorCodes.InvalidArgument, $"OciArchiveOutputPath \"{path}\" contains ':', which archive locations use as a separator; choose a path without it");
        }

        if (Directory.Exists(path) || path.EndsWith('/'))
        {
            string name = request.Repository[(request.Repository.LastIndexOf('/') + 1)..];
            return Path.Combine(path, name + ".tar");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    private static void ValidatePublishDirectory(string directory)
    {
        if (!Directory.Exists(directory) || !Directory.EnumerateFileSystemEntries(directory).Any())
        {
            throw new OciException(ErrorCodes.NoPublishOutput, $"the publish folder {directory} is missing or empty; run `dotnet publish` (the PublishOciImage target runs after Publish)");
        }
    }

    private static async Task<IReadOnlyList<NewLayer>> BuildLayersAsync(PublishRequest request, LayerCache cache, CancellationToken cancellationToken)
    {
        var options = new LayerOptions
        {
            DestinationDirectory = request.WorkingDirectory,
            ModificationTime = SourceDateEpoch.Read() ?? DateTimeOffset.UnixEpoch,
            UserId = request.FileOwner.UserId,
            GroupId = request.FileOwner.GroupId,
            Compression = request.LayerCompression,
            CompressionLevelNumber = request.LayerCompressionLevel,
        };
        var files = LayerFileSet.FromDirectory(request.PublishDirectory);

        // At most one layer per kind of file, so building them all at once uses every core without a limit.
        var builds = LayerPlanner.Plan(files, request.FileKinds, request.SplitLayers)
            .Select(planned => cache.GetOrBuildAsync(planned, LayerCompressionChoice.Apply(options, planned.Files), LayerComment(planned.Kind, request), cancellationToken))
            .ToList();
        return await Task.WhenAll(builds).ConfigureAwait(false);
    }

    private static string LayerComment(PublishFileKind kind, PublishRequest request) => (kind, request.SplitLayers) switch
    {
        (_, false) => $"publish output of {request.Repository}",
        (PublishFileKind.Runtime, _) => $".NET runtime of {request.Repository}",
        (PublishFileKind.Package, _) => $"NuGet package files of {request.Repository}",
        (PublishFileKind.ProjectReference, _) => $"project reference files of {request.Repository}",
        _ => $"app files of {request.Repository}",
    };

    /// <summary>Runs the apphost when the publish folder has one, else <c>dotnet APP.dll</c>.</summary>
    private static IReadOnlyList<string>? DefaultAppCommand(PublishRequest request)
    {
        string directory = request.WorkingDirectory.TrimEnd('/');
        if (!string.IsNullOrEmpty(request.AppHostName) && File.Exists(Path.Combine(request.PublishDirectory, request.AppHostName)))
        {
            return [$"{directory}/{request.AppHostName}"];
        }

        if (!string.IsNullOrEmpty(request.AssemblyFileName) && File.Exists(Path.Combine(request.PublishDirectory, request.AssemblyFileName)))
        {
            return ["dotnet", $"{directory}/{request.AssemblyFileName}"];
        }

        return null;
    }
}
