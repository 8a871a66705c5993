using OciBuild.Core.Errors;
using OciBuild.Tasks.Sbom;

namespace OciBuild.Tasks.Tests;

/// <summary>Reading the NuGet packages of one restore target from obj/project.assets.json.</summary>
public sealed class ProjectAssetsReaderTests : IDisposable
{
    // Base64 of the bytes 00 01 02 … 3F, as NuGet writes a package's SHA-512.
    private const string Sha512Base64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==";

    private readonly string _directory = Directory.CreateTempSubdirectory("ocibuild-assets-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Read_lists_packages_of_target()
    {
        string assets = Write(Assets);

        var packages = ProjectAssetsReader.Read(assets, "net10.0", null);

        Assert.Equal(["Humanizer.Core", "Newtonsoft.Json"], packages.Select(p => p.Id));
        Assert.Equal(["2.14.1", "13.0.3"], packages.Select(p => p.Version));
        Assert.Equal(string.Concat(Enumerable.Range(0, 64).Select(i => i.ToString("x2"))), packages[1].Sha512);
        Assert.Null(packages[0].Sha512);
        Assert.Equal("pkg:nuget/Newtonsoft.Json@13.0.3", packages[1].PackageUrl);
    }

    [Fact]
    public void Read_prefers_runtime_target()
    {
        string assets = Write(Assets);

        var packages = ProjectAssetsReader.Read(assets, "net10.0", "linux-x64");

        Assert.Equal(["Humanizer.Core", "Newtonsoft.Json", "runtime.native.System"], packages.Select(p => p.Id));
    }

    [Fact]
    public void Read_falls_back_to_framework_target()
    {
        string assets = Write(Assets);

        var packages = ProjectAssetsReader.Read(assets, "net10.0", "linux-arm64");

        Assert.Equal(["Humanizer.Core", "Newtonsoft.Json"], packages.Select(p => p.Id));
    }

    [Fact]
    public void Missing_file_names_fix()
    {
        string assets = Path.Combine(_directory, "obj", "project.assets.json");

        var error = Assert.Throws<OciException>(() => ProjectAssetsReader.Read(assets, "net10.0", null));

        Assert.Equal(ErrorCodes.ProjectAssetsMissing, error.Code);
        Assert.Contains(assets, error.Message, StringComparison.Ordinal);
        Assert.Contains("OciSbom=false", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_target_lists_known_ones()
    {
        string assets = Write(Assets.Replace("\"net10.0\":", "\"net8.0\":").Replace("\"net10.0/linux-x64\":", "\"net9.0\":"));

        var error = Assert.Throws<OciException>(() => ProjectAssetsReader.Read(assets, "net10.0", null));

        Assert.Equal(ErrorCodes.ProjectAssetsInvalid, error.Code);
        Assert.Contains("no restore target net10.0", error.Message, StringComparison.Ordinal);
        Assert.Contains("net8.0, net9.0", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"version": 3}""")]
    [InlineData("""{"targets": {"net10.0": {"NoVersion": {"type": "package"}}}, "libraries": {}}""")]
    [InlineData("""{"targets": {"net10.0": {"A/1.0.0": {"type": "package"}}}, "libraries": {"A/1.0.0": {"sha512": "not base64!"}}}""")]
    public void Invalid_file_is_rejected(string content)
    {
        string assets = Write(content);

        var error = Assert.Throws<OciException>(() => ProjectAssetsReader.Read(assets, "net10.0", null));

        Assert.Equal(ErrorCodes.ProjectAssetsInvalid, error.Code);
        Assert.Contains(assets, error.Message, StringComparison.Ordinal);
    }

    private string Write(string content)
    {
        string path = Path.Combine(_directory, $"{Guid.NewGuid():N}.assets.json");
        File.WriteAllText(path, content);
        return path;
    }

    private const string Assets = $$"""
        {
          "version": 3,
          "targets": {
            "net10.0": {
              "Newtonsoft.Json/13.0.3": { "type": "package", "runtime": { "lib/net6.0/Newtonsoft.Json.dll": {} } },
              "Humanizer.Core/2.14.1": { "type": "package" },
              "MyLibrary/1.0.0": { "type": "project" }
            },
            "net10.0/linux-x64": {
              "runtime.native.System/4.3.0": { "type": "package" },
              "Newtonsoft.Json/13.0.3": { "type": "package" },
              "Humanizer.Core/2.14.1": { "type": "package" }
            }
          },
          "libraries": {
            "Newtonsoft.Json/13.0.3": { "sha512": "{{Sha512Base64}}", "type": "package", "path": "newtonsoft.json/13.0.3" },
            "Humanizer.Core/2.14.1": { "type": "package", "path": "humanizer.core/2.14.1" },
            "runtime.native.System/4.3.0": { "type": "package" },
            "MyLibrary/1.0.0": { "type": "project", "path": "../MyLibrary/MyLibrary.csproj" }
          }
        }
        """;
}
