using Microsoft.Extensions.Logging;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Layers;
using OciBuild.Storage;
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
    private readonly ILogger _logger;

    public ImagePublisher(ILogger logger)
    {
        _logger = logger;
    }

    public async Task<PublishResult> PublishAsync(PublishRequest request, CancellationToken cancellationToken)
    {
        ValidatePublishDirectory(request.PublishDirectory);
        var credentials = string.IsNullOrEmpty(request.Credentials) ? null : RegistryCredentials.Parse(request.Credentials);
        var destination = DestinationLocation(request);
        var store = new LocalImageStore(request.LocalStoreRoot ?? StorePaths.DefaultRoot());
        // TODO: OciTlsVerify always has a value because the props default it to true, so registries.conf
        // "insecure" entries do not apply to MSBuild publishes yet. That needs the property to be tri-state.
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

        IImageSource? baseImage = null;
        if (!string.IsNullOrEmpty(request.BaseImage) && request.BaseImage != "scratch")
        {
            baseImage = await context.OpenSourceAsync(ImageLocation.Parse(request.BaseImage), cancellationToken).ConfigureAwait(false);
        }

        // Without a cache folder the layers live in a temporary one for the length of this publish.
        string? temporaryCache = request.LayerCacheDirectory is null ? Directory.CreateTempSubdirectory("ocibuild-layers-").FullName : null;
        try
        {
            var cache = new LayerCache(request.LayerCacheDirectory ?? temporaryCache!, _logger);

            // The base image's manifest and config are read, from a registry for example, while the layers
            // compress. Both tasks end before the cache folder is deleted, and a layer error wins over a base image one.
            var resolveBase = ImageBuilder.ResolveBaseAsync(baseImage, request.Platform, cancellationToken);
            var buildLayers = BuildLayersAsync(request, cache, cancellationToken);
            await Task.WhenAll(buildLayers, resolveBase).ConfigureAwait(false);

            var (entrypoint, cmd) = request.StartCommand.Resolve(DefaultAppCommand(request));
            var settings = request.Settings with { Entrypoint = entrypoint, Cmd = cmd };
            var image = ImageBuilder.Build(await resolveBase.ConfigureAwait(false), request.BaseImage, settings, await buildLayers.ConfigureAwait(false));

            var target = context.OpenDestination(destination);
            var copier = new ImageCopier(_logger);
            CopyResult result;
            try
            {
                if (destination.Transport == TransportKind.LocalStore)
                {
                    using var storeLock = await store.LockAsync(cancellationToken).ConfigureAwait(false);
                    result = await copier.CopyAsync(image, target, request.Tags, request.Platform, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    // A docker-archive names its one image inside the location; an OCI archive takes every tag.
                    IReadOnlyList<string> tags = destination.Transport == TransportKind.DockerArchive ? [destination.Tag] : request.Tags;
                    result = await copier.CopyAsync(image, target, tags, request.Platform, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                // Archive destinations stage their content in a scratch folder until they are disposed.
                (target as IDisposable)?.Dispose();
            }

            cache.RemoveUnused();
            var references = destination.HasReference && destination.Transport != TransportKind.DockerArchive
                ? request.Tags.Select(t => $"{destination.Reference.Name}:{t}").ToList()
                : [destination.ToString()];
            return new PublishResult(references, result.ManifestDigest, result.ConfigDigest, result.ManifestMediaType);
        }
        finally
        {
            if (temporaryCache is not null)
            {
                Directory.Delete(temporaryCache, recursive: true);
            }
        }
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
        };
        var files = LayerFileSet.FromDirectory(request.PublishDirectory);

        // At most one layer per kind of file, so building them all at once uses every core without a limit.
        var builds = LayerPlanner.Plan(files, request.FileKinds, request.SplitLayers)
            .Select(planned => cache.GetOrBuildAsync(planned, options with { CompressionLevel = LayerCompressionChoice.For(planned.Files) }, LayerComment(planned.Kind, request), cancellationToken))
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
