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

    private SbomAttacher(IReadOnlyList<NuGetPackage> packages)
    {
        _packages = packages;
    }

    /// <summary>Reads the package list now, so that a missing or broken assets file fails the publish before anything is pushed.</summary>
    public static SbomAttacher Prepare(SbomRequest request)
        => new(ProjectAssetsReader.Read(request.AssetsFile, request.TargetFramework, request.RuntimeIdentifier));

    /// <summary>Writes the SBOM for <paramref name="image"/>, which is already in <paramref name="repository"/>, and pushes it as a referrer.</summary>
    public async Task<ReferrerPushResult> AttachAsync(RegistryClient client, string repository, BuiltImage image, ILogger logger, CancellationToken cancellationToken)
    {
        // The image's own creation time (SOURCE_DATE_EPOCH when set) keeps the SBOM as reproducible as the image.
        var created = image.Config.Created ?? DateTimeOffset.UnixEpoch;
        string tool = $"ocibuild-{typeof(SbomAttacher).Assembly.GetName().Version?.ToString(3)}";
        var subject = image.Manifest.ToDescriptor();
        byte[] document = SpdxDocument.Write($"{client.Registry}/{repository}", subject, created, _packages, tool);

        var annotations = new Dictionary<string, string>
        {
            ["org.opencontainers.image.created"] = created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
        var result = await new ReferrerPusher(client, logger)
            .PushAsync(repository, subject, SpdxDocument.MediaType, document, annotations, cancellationToken)
            .ConfigureAwait(false);
        logger.LogInformation(
            "attached an SPDX SBOM of {Count} NuGet packages to {Image}@{Digest} as referrer {Referrer}",
            _packages.Count, $"{client.Registry}/{repository}", subject.Digest, result.Referrer.Digest);
        return result;
    }
}
