using OciBuild.Core.Errors;
using OciBuild.Tasks;

namespace OciBuild.Tasks.Tests;

/// <summary>The platform each runtime identifier's image gets in an index.</summary>
public sealed class RuntimeIdentifierPlatformTests
{
    [Theory]
    [InlineData("linux-x64", "linux/amd64")]
    [InlineData("linux-arm64", "linux/arm64/v8")]
    [InlineData("linux-arm", "linux/arm/v7")]
    [InlineData("linux-musl-x64", "linux/amd64")]
    [InlineData("linux-musl-arm64", "linux/arm64/v8")]
    [InlineData("linux-musl-arm", "linux/arm/v7")]
    [InlineData("linux-x86", "linux/386")]
    [InlineData("linux-s390x", "linux/s390x")]
    [InlineData("linux-ppc64le", "linux/ppc64le")]
    [InlineData("linux-riscv64", "linux/riscv64")]
    [InlineData("linux-loongarch64", "linux/loong64")]
    [InlineData(" linux-x64 ", "linux/amd64")]
    public void Linux_identifier_maps_to_platform(string runtimeIdentifier, string expected)
    {
        Assert.Equal(expected, RuntimeIdentifierPlatforms.FromRuntimeIdentifier(runtimeIdentifier).ToString());
    }

    [Theory]
    [InlineData("win-x64")]
    [InlineData("osx-arm64")]
    [InlineData("linux")]
    [InlineData("android-arm64")]
    public void Non_linux_identifier_is_rejected(string runtimeIdentifier)
    {
        var error = Assert.Throws<OciException>(() => RuntimeIdentifierPlatforms.FromRuntimeIdentifier(runtimeIdentifier));

        Assert.Equal(ErrorCodes.NonLinuxRuntimeIdentifier, error.Code);
        Assert.Contains(runtimeIdentifier, error.Message);
    }

    [Fact]
    public void Unknown_architecture_is_rejected()
    {
        var error = Assert.Throws<OciException>(() => RuntimeIdentifierPlatforms.FromRuntimeIdentifier("linux-mips"));

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.Contains("mips", error.Message);
    }
}
