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

        foreach (var group in platforms.GroupBy(p => p.Platform.ToString()).Where(g => g.Count() > 1))
        {
            throw new OciException(ErrorCodes.DuplicatePlatform, $"OciRuntimeIdentifiers={runtimeIdentifiers} maps {string.Join(" and ", group.Select(p => p.RuntimeIdentifier))} to the same platform {group.Key}, and an index holds one image per platform; keep one of them");
        }

        foreach (var group in platforms.GroupBy(p => Path.TrimEndingDirectorySeparator(p.PublishDirectory), StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            throw new OciException(ErrorCodes.SharedPublishDirectory, $"runtime identifiers {string.Join(" and ", group.Select(p => p.RuntimeIdentifier))} publish into the same folder {group.Key}, so one would overwrite the other; leave PublishDir unset or put $(RuntimeIdentifier) in it");
        }
    }
}
