using OciBuild.Tasks;

namespace OciBuild.Tasks.Tests;

/// <summary>The base image that OciBuild infers when OciBaseImage is unset, matching the .NET SDK 10.0.</summary>
public sealed class BaseImageInferenceTests
{
    [Theory]
    [InlineData(false, false, false, false, false, null, null, "mcr.microsoft.com/dotnet/runtime:10.0")]
    [InlineData(false, false, false, false, true, null, null, "mcr.microsoft.com/dotnet/aspnet:10.0")]
    [InlineData(true, false, false, false, false, "linux-x64", null, "mcr.microsoft.com/dotnet/runtime-deps:10.0")]
    [InlineData(true, false, false, false, true, "linux-x64", null, "mcr.microsoft.com/dotnet/runtime-deps:10.0")]
    [InlineData(false, false, false, false, false, "linux-musl-x64", null, "mcr.microsoft.com/dotnet/runtime:10.0-alpine")]
    [InlineData(true, false, false, false, true, "linux-musl-arm64", null, "mcr.microsoft.com/dotnet/runtime-deps:10.0-alpine")]
    [InlineData(false, true, false, true, false, "linux-x64", null, "mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled")]
    [InlineData(false, true, false, false, false, "linux-x64", null, "mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled-extra")]
    [InlineData(true, false, true, true, false, "linux-x64", null, "mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled")]
    [InlineData(true, false, true, false, false, "linux-x64", null, "mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled-extra")]
    [InlineData(false, true, false, true, false, "linux-musl-x64", null, "mcr.microsoft.com/dotnet/runtime-deps:10.0-alpine")]
    [InlineData(false, false, false, false, true, null, "noble-chiseled", "mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled")]
    [InlineData(false, false, false, false, false, "linux-musl-x64", "azurelinux3.0", "mcr.microsoft.com/dotnet/runtime:10.0-azurelinux3.0")]
    public void Infer_follows_sdk_rules(bool selfContained, bool aot, bool trimmed, bool invariant, bool aspNet, string? rid, string? family, string expected)
    {
        var inputs = new BaseImageInputs
        {
            TargetFrameworkVersion = "10.0",
            SelfContained = selfContained,
            PublishAot = aot,
            PublishTrimmed = trimmed,
            InvariantGlobalization = invariant,
            UsesAspNetCore = aspNet,
            RuntimeIdentifier = rid,
            Family = family,
        };

        Assert.Equal(expected, ComputeOciBaseImage.Infer(inputs));
    }

    [Theory]
    [InlineData("8.0", "mcr.microsoft.com/dotnet/runtime:8.0")]
    [InlineData("9.0", "mcr.microsoft.com/dotnet/runtime:9.0")]
    [InlineData("10.0", "mcr.microsoft.com/dotnet/runtime:10.0")]
    public void Infer_tags_with_framework_version(string version, string expected)
    {
        Assert.Equal(expected, ComputeOciBaseImage.Infer(new BaseImageInputs { TargetFrameworkVersion = version }));
    }

    [Fact]
    public void Infer_uses_chiseled_only_from_net8()
    {
        var inputs = new BaseImageInputs { TargetFrameworkVersion = "7.0", PublishAot = true, InvariantGlobalization = true };

        Assert.Equal("mcr.microsoft.com/dotnet/runtime-deps:7.0", ComputeOciBaseImage.Infer(inputs));
    }

    [Theory]
    [InlineData("registry.example.test:5000", "registry.example.test:5000/dotnet/aspnet:10.0")]
    [InlineData("mirror.example.test/", "mirror.example.test/dotnet/aspnet:10.0")]
    [InlineData("", "mcr.microsoft.com/dotnet/aspnet:10.0")]
    public void Infer_replaces_registry_with_base_registry(string baseRegistry, string expected)
    {
        var inputs = new BaseImageInputs { TargetFrameworkVersion = "10.0", UsesAspNetCore = true, BaseRegistry = baseRegistry };

        Assert.Equal(expected, ComputeOciBaseImage.Infer(inputs));
    }
}
