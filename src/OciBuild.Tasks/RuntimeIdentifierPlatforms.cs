using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Tasks;

/// <summary>Maps .NET runtime identifiers to the platforms of image indexes.</summary>
public static class RuntimeIdentifierPlatforms
{
    /// <summary>
    /// Returns the platform for a Linux runtime identifier such as <c>linux-x64</c> (linux/amd64),
    /// <c>linux-musl-arm64</c> (linux/arm64/v8) or <c>linux-arm</c> (linux/arm/v7). A base image index
    /// entry without a variant still matches, because <see cref="ImageIndex.FindManifest"/> then compares
    /// os and architecture only.
    /// </summary>
    public static Platform FromRuntimeIdentifier(string runtimeIdentifier)
    {
        string rid = runtimeIdentifier.Trim();
        if (!rid.StartsWith("linux-", StringComparison.Ordinal))
        {
            throw new OciException(ErrorCodes.NonLinuxRuntimeIdentifier, $"runtime identifier '{runtimeIdentifier}' is not a Linux one, and OciBuild builds Linux images; use linux-x64, linux-arm64, linux-arm or their linux-musl- forms");
        }

        string architecture = rid[(rid.LastIndexOf('-') + 1)..] switch
        {
            "x64" => "amd64",
            "arm64" => "arm64",
            "arm" => "arm",
            "x86" => "386",
            "s390x" => "s390x",
            "ppc64le" => "ppc64le",
            "riscv64" => "riscv64",
            "loongarch64" => "loong64",
            var other => throw new OciException(ErrorCodes.InvalidArgument, $"runtime identifier {runtimeIdentifier} has an architecture ({other}) that container images do not use"),
        };
        string? variant = architecture switch
        {
            "arm64" => "v8",
            "arm" => "v7",
            _ => null,
        };
        return new Platform { Os = "linux", Architecture = architecture, Variant = variant };
    }
}
