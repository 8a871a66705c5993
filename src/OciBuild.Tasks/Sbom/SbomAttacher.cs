using System.Globalization;
using Microsoft.Extensions.Logging;
using OciBuild.Core;
using OciBuild.Transport.Building;
using OciBuild.Transport.Registry;

namespace OciBuild.Tasks.Sbom;

/// <summary>Attaches an SPDX SBOM of the app's NuGet packages to a pushed image as an OCI referrer.</summary>
internal sealed class SbomAttacher
{
    private readonly IReadOnlyList<NuGetPackage> _packages;
    private byte[]? _document;

    private SbomAttacher(IReadOnlyList<NuGetPackage> packages)
    {
        _packages = packages;
    }

    /// <summary>Reads the package list now, so that a missing or broken assets file fails the publish before anything is pushed.</summary>
    public static SbomAttacher Prepare(SbomRequest request)
        => new(ProjectAssetsReader.Read(request.AssetsFile, request.TargetFramework, request.RuntimeIdentifier));

    /// <summary>
    /// Writes the SBOM for <paramref name="image"/> and pushes its blobs to <paramref name="repository"/>. The
    /// image's manifest digest is known before its push, so this can run while the image's own blobs upload.
    /// </summary>
    public Task PushBlobsAsync(RegistryClient client, string repository, BuiltImage image, ILogger logger, CancellationToken cancellationToken)
    {
        _document = SpdxDocument.Write($"{client.Registry}/{repository}", image.Manifest.ToDescriptor(), Created(image), _packages, Tool);
        return new ReferrerPusher(client, logger).PushBlobsAsync(repository, SpdxDocument.MediaType, _document, cancellationToken);
    }

    /// <summary>
    /// Pushes the referrer manifest of the SBOM that <see cref="PushBlobsAsync"/> wrote, once <paramref name="image"/>
    /// is in <paramref name="repository"/>, and lists it under the referrers tag where the registry needs one.
    /// </summary>
    public async Task<ReferrerPushResult> AttachAsync(RegistryClient client, string repository, BuiltImage image, ILogger logger, CancellationToken cancellationToken)
    {
        byte[] document = _document ?? throw new InvalidOperationException($"{nameof(PushBlobsAsync)} must run before {nameof(AttachAsync)}");
        var subject = image.Manifest.ToDescriptor();
        var annotations = new Dictionary<string, string>
        {
            ["org.opencontainers.image.created"] = Created(image).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
        var result = await new ReferrerPusher(client, logger)
            .PushManifestAsync(repository, subject, SpdxDocument.MediaType, document, annotations, cancellationToken)
            .ConfigureAwait(false);
        logger.LogInformation(
            "attached an SPDX SBOM of {Count} NuGet packages to {Image}@{Digest} as referrer {Referrer}",
            _packages.Count, $"{client.Registry}/{repository}", subject.Digest, result.Referrer.Digest);
        return result;
    }

    private static string Tool => $"ocibuild-{typeof(SbomAttacher).Assembly.GetName().Version?.ToString(3)}";

    // The image's own creation time (SOURCE_DATE_EPOCH when set) keeps the SBOM as reproducible as the image.
    private static DateTimeOffset Created(BuiltImage image) => image.Config.Created ?? DateTimeOffset.UnixEpoch;
}
