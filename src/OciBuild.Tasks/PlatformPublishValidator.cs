using OciBuild.Core.Errors;

namespace OciBuild.Tasks;

/// <summary>Checks the runtime identifiers of a multi-platform publish before anything is built.</summary>
internal static class PlatformPublishValidator
{
    public static void Validate(PublishRequest request)
    {
        var platforms = request.Platforms;
        string runtimeIdentifiers = string.Join(";", platforms.Select(p => p.RuntimeIdentifier));

        // A docker-archive names each image by REPOSITORY:TAG, and one tag cannot name two platforms.
        if (request.ArchiveOutputPath is not null && request.DockerArchive)
        {
            throw new OciException(ErrorCodes.MultiPlatformDockerArchive, $"OciArchiveFormat=docker cannot hold the {platforms.Count} platforms of OciRuntimeIdentifiers={runtimeIdentifiers}, because a docker archive has no image index; use OciArchiveFormat=oci, or publish one runtime identifier with -r RID");
        }

        var samePlatform = platforms.GroupBy(p => p.Platform.ToString()).FirstOrDefault(g => g.Count() > 1);
        if (samePlatform is not null)
        {
            throw new OciException(ErrorCodes.DuplicatePlatform, $"invalid OciRuntimeIdentifiers={runtimeIdentifiers}: {string.Join(" and ", samePlatform.Select(p => p.RuntimeIdentifier))} are both platform {samePlatform.Key}, and an index contains one image per platform; keep one of them");
        }

        var sameFolder = platforms.GroupBy(p => Path.TrimEndingDirectorySeparator(p.PublishDirectory), StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (sameFolder is not null)
        {
            throw new OciException(ErrorCodes.SharedPublishDirectory, $"runtime identifiers {string.Join(" and ", sameFolder.Select(p => p.RuntimeIdentifier))} publish into the same folder {sameFolder.Key}, so one would overwrite the other; leave PublishDir unset or put $(RuntimeIdentifier) in it");
        }
    }
}
