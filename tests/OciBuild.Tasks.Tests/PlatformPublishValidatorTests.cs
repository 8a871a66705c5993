using OciBuild.Core.Errors;
using OciBuild.Tasks;
using OciBuild.Transport.Building;

namespace OciBuild.Tasks.Tests;

/// <summary>Settings that a multi-platform publish rejects before it builds or pushes anything.</summary>
public sealed class PlatformPublishValidatorTests
{
    [Fact]
    public void Distinct_platforms_and_folders_pass()
    {
        var request = Request(Platform("linux-x64", "/p/x64/"), Platform("linux-arm64", "/p/arm64/"));

        PlatformPublishValidator.Validate(request);
    }

    [Fact]
    public void Docker_archive_is_rejected()
    {
        var request = Request(Platform("linux-x64", "/p/x64/"), Platform("linux-arm64", "/p/arm64/")) with
        {
            ArchiveOutputPath = "/tmp/app.tar",
            DockerArchive = true,
        };

        var error = Assert.Throws<OciException>(() => PlatformPublishValidator.Validate(request));

        Assert.Equal(ErrorCodes.MultiPlatformDockerArchive, error.Code);
        Assert.Contains("OciArchiveFormat=oci", error.Message);
    }

    [Fact]
    public void Same_platform_twice_is_rejected()
    {
        var request = Request(Platform("linux-x64", "/p/x64/"), Platform("linux-musl-x64", "/p/musl-x64/"));

        var error = Assert.Throws<OciException>(() => PlatformPublishValidator.Validate(request));

        Assert.Equal(ErrorCodes.DuplicatePlatform, error.Code);
        Assert.Contains("linux-x64 and linux-musl-x64", error.Message);
        Assert.Contains("linux/amd64", error.Message);
    }

    [Theory]
    [InlineData("/p/out/", "/p/out/")]
    [InlineData("/p/out/", "/p/out")]
    public void Shared_publish_folder_is_rejected(string first, string second)
    {
        var request = Request(Platform("linux-x64", first), Platform("linux-arm64", second));

        var error = Assert.Throws<OciException>(() => PlatformPublishValidator.Validate(request));

        Assert.Equal(ErrorCodes.SharedPublishDirectory, error.Code);
        Assert.Contains("/p/out", error.Message);
    }

    private static PlatformPublish Platform(string runtimeIdentifier, string publishDirectory) => new()
    {
        RuntimeIdentifier = runtimeIdentifier,
        Platform = RuntimeIdentifierPlatforms.FromRuntimeIdentifier(runtimeIdentifier),
        PublishDirectory = publishDirectory,
    };

    private static PublishRequest Request(params PlatformPublish[] platforms) => new()
    {
        PublishDirectory = "/p/publish/",
        Repository = "app",
        Tags = ["latest"],
        Settings = new ImageSettings(),
        Platforms = platforms,
    };
}
