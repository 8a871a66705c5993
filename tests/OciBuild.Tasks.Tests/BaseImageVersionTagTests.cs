using OciBuild.Tasks;

namespace OciBuild.Tasks.Tests;

/// <summary>The version part of the inferred tag follows the SDK's release channel, as the .NET SDK's own inference does.</summary>
public sealed class BaseImageVersionTagTests
{
    [Theory]
    [InlineData("10.0", "10.0.100", "10.0")]
    [InlineData("10.0", "10.0.401", "10.0")]
    [InlineData("10.0", null, "10.0")]
    [InlineData("10.0", "10.0.100-preview.7.25380.108", "10.0.0-preview.7")]
    [InlineData("10.0", "10.0.100-rc.2.25502.107", "10.0.0-rc.2")]
    [InlineData("10.0", "10.0.100-alpha.1.25077.2", "10.0-preview")]
    [InlineData("10.0", "10.0.100-dev", "10.0-preview")]
    [InlineData("9.0", "10.0.100-rc.2.25502.107", "9.0")]
    [InlineData("10.0", "10.0.200-preview.1.26060.1", "10.0")]
    [InlineData("10.0", "not-a-version", "10.0")]
    public void Version_tag_follows_sdk_channel(string framework, string? sdk, string expected)
    {
        Assert.Equal(expected, BaseImageVersionTag.For(framework, sdk));
    }

    [Fact]
    public void Preview_sdk_puts_family_after_preview_tag()
    {
        var inputs = new BaseImageInputs
        {
            TargetFrameworkVersion = "10.0",
            SdkVersion = "10.0.100-rc.1.25451.107",
            RuntimeIdentifier = "linux-musl-x64",
        };

        Assert.Equal("mcr.microsoft.com/dotnet/runtime:10.0.0-rc.1-alpine", ComputeOciBaseImage.Infer(inputs));
    }
}
