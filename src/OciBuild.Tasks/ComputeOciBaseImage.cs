using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace OciBuild.Tasks;

/// <summary>
/// Infers the base image when <c>OciBaseImage</c> is unset, with the rules of the .NET SDK 10.0's
/// container support, so that a project moving over gets the image it got before.
/// </summary>
public sealed class ComputeOciBaseImage : Microsoft.Build.Utilities.Task
{
    /// <summary>The target framework's version as major.minor, such as <c>10.0</c>.</summary>
    [Required]
    public string TargetFrameworkVersion { get; set; } = "";

    /// <summary>The registry that replaces mcr.microsoft.com, for company mirrors.</summary>
    public string BaseRegistry { get; set; } = "mcr.microsoft.com";

    public bool SelfContained { get; set; }

    public bool PublishAot { get; set; }

    public bool PublishTrimmed { get; set; }

    public bool InvariantGlobalization { get; set; }

    /// <summary>True when the project has a framework reference to Microsoft.AspNetCore.App.</summary>
    public bool UsesAspNetCore { get; set; }

    public string? RuntimeIdentifier { get; set; }

    /// <summary>The SDK's version (<c>NETCoreSdkVersion</c>); an SDK in preview picks preview tags.</summary>
    public string? SdkVersion { get; set; }

    /// <summary>A tag suffix such as <c>alpine</c> or <c>noble-chiseled</c>; it replaces the inferred one.</summary>
    public string? Family { get; set; }

    [Output]
    public string BaseImage { get; private set; } = "";

    public override bool Execute()
    {
        BaseImage = Infer(new BaseImageInputs
        {
            TargetFrameworkVersion = TargetFrameworkVersion,
            BaseRegistry = BaseRegistry,
            SelfContained = SelfContained,
            PublishAot = PublishAot,
            PublishTrimmed = PublishTrimmed,
            InvariantGlobalization = InvariantGlobalization,
            UsesAspNetCore = UsesAspNetCore,
            RuntimeIdentifier = RuntimeIdentifier,
            Family = Family,
            SdkVersion = SdkVersion,
        });
        Log.LogMessage(MessageImportance.Normal, "inferred base image {0}", BaseImage);
        return true;
    }

    public static string Infer(BaseImageInputs inputs)
    {
        string repository = (inputs.SelfContained || inputs.PublishAot, inputs.UsesAspNetCore) switch
        {
            (true, _) => "dotnet/runtime-deps",
            (false, true) => "dotnet/aspnet",
            (false, false) => "dotnet/runtime",
        };

        string registry = string.IsNullOrWhiteSpace(inputs.BaseRegistry) ? "mcr.microsoft.com" : inputs.BaseRegistry.Trim().TrimEnd('/');
        string version = BaseImageVersionTag.For(inputs.TargetFrameworkVersion, inputs.SdkVersion);
        return $"{registry}/{repository}:{version}{TagSuffix(inputs)}";
    }

    private static string TagSuffix(BaseImageInputs inputs)
    {
        if (!string.IsNullOrWhiteSpace(inputs.Family))
        {
            return $"-{inputs.Family.Trim()}";
        }

        bool musl = inputs.RuntimeIdentifier?.StartsWith("linux-musl", StringComparison.Ordinal) == true;
        if (musl)
        {
            return "-alpine";
        }

        // Trimmed and AOT apps need no runtime in the image, so from .NET 8 on the SDK picks Ubuntu's
        // chiseled images. Only their -extra variant contains ICU and tzdata.
        bool chiseledAvailable = Version.TryParse(inputs.TargetFrameworkVersion, out var version) && version.Major >= 8;
        if (chiseledAvailable && (inputs.PublishAot || inputs.PublishTrimmed))
        {
            return inputs.InvariantGlobalization ? "-noble-chiseled" : "-noble-chiseled-extra";
        }

        return "";
    }
}

/// <summary>The project facts that decide the inferred base image.</summary>
public sealed record BaseImageInputs
{
    public required string TargetFrameworkVersion { get; init; }

    public string? BaseRegistry { get; init; }

    public bool SelfContained { get; init; }

    public bool PublishAot { get; init; }

    public bool PublishTrimmed { get; init; }

    public bool InvariantGlobalization { get; init; }

    public bool UsesAspNetCore { get; init; }

    public string? RuntimeIdentifier { get; init; }

    public string? Family { get; init; }

    public string? SdkVersion { get; init; }
}
