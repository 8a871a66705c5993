using System.Text.RegularExpressions;

namespace OciBuild.IntegrationTests;

/// <summary>The split layer strategy and the layer cache under obj/, seen through the task's log lines.</summary>
[Collection(TestBedCollection.Name)]
public sealed class IncrementalLayerTests
{
    private readonly TestBed _bed;

    public IncrementalLayerTests(TestBed bed)
    {
        _bed = bed;
    }

    [Fact]
    public async Task App_change_rebuilds_only_app_layer()
    {
        string project = WriteAppWithLibrary("Layered");
        string[] properties = [$"OciRegistry={_bed.Registry.Address}", "OciTlsVerify=false", $"OciBaseImage={_bed.BaseImage}", "OciRepository=layered"];

        var first = await _bed.PublishProjectAsync(project, properties, verbosity: "normal");
        Assert.True(first.ExitCode == 0, first.ToString());
        File.AppendAllText(Path.Combine(project, "Program.cs"), "Console.WriteLine(\"one more line\");\n");
        var second = await _bed.PublishProjectAsync(project, properties, verbosity: "normal");
        Assert.True(second.ExitCode == 0, second.ToString());
        var manifest = await Skopeo.ManifestAsync($"{_bed.Registry.Address}/layered:latest");

        // The first publish builds the project-reference layer and the app layer.
        Assert.Equal(2, Count(first, "built layer"));
        Assert.Equal(0, Count(first, "reused layer"));
        Assert.Equal(1, Count(second, @"reused layer \S+ \(ProjectReference"));
        Assert.Equal(1, Count(second, @"built layer \S+ \(App"));
        Assert.Equal(1, Count(second, "built layer"));

        // Pushed: the new app layer and the config. Skipped: two base layers and the reused layer.
        Assert.Equal(2, Count(second, "copied blob"));
        Assert.Equal(3, Count(second, "already exists"));
        Assert.Equal(0, Count(second, "mounted blob"));
        Assert.Equal(4, manifest.GetProperty("layers").GetArrayLength());
    }

    [Fact]
    public async Task Single_strategy_and_owner_apply()
    {
        string project = WriteAppWithLibrary("SingleLayer");

        var publish = await _bed.PublishProjectAsync(project, [$"OciRegistry={_bed.Registry.Address}", "OciTlsVerify=false", $"OciBaseImage={_bed.BaseImage}", "OciRepository=single-layer", "OciLayerStrategy=single", "OciFileOwner=1654:1654"]);
        Assert.True(publish.ExitCode == 0, publish.ToString());
        string layout = Path.Combine(_bed.NewDirectory("layout"), "oci");
        await ProcessRunner.RunCheckedAsync("skopeo", ["copy", "--src-tls-verify=false", $"docker://{_bed.Registry.Address}/single-layer:latest", $"oci:{layout}:latest"]);
        var manifest = await Skopeo.ManifestAsync($"{_bed.Registry.Address}/single-layer:latest");
        string lastLayer = manifest.GetProperty("layers").EnumerateArray().Last().GetProperty("digest").GetString()!;
        var listing = await ProcessRunner.RunCheckedAsync("tar", ["-tvzf", Path.Combine(layout, "blobs", "sha256", lastLayer["sha256:".Length..])]);

        Assert.Equal(3, manifest.GetProperty("layers").GetArrayLength());
        Assert.Contains("app/SingleLayerLib.dll", listing.StandardOutput);
        Assert.Contains("app/SingleLayer.dll", listing.StandardOutput);
        Assert.All(listing.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Contains(" 1654/1654 ", line));
    }

    [Fact]
    public async Task Invalid_layer_settings_fail()
    {
        var strategy = await _bed.PublishAsync([$"OciLocalStore={_bed.NewDirectory("store")}", $"OciBaseImage={_bed.BaseImage}", "OciTlsVerify=false", "OciLayerStrategy=layered"]);
        var owner = await _bed.PublishAsync([$"OciLocalStore={_bed.NewDirectory("store")}", $"OciBaseImage={_bed.BaseImage}", "OciTlsVerify=false", "OciFileOwner=app"]);

        Assert.NotEqual(0, strategy.ExitCode);
        Assert.Contains("error OCIB1007", strategy.StandardOutput);
        Assert.Contains("OciLayerStrategy=\"layered\"", strategy.StandardOutput);
        Assert.NotEqual(0, owner.ExitCode);
        Assert.Contains("OciFileOwner=\"app\"", owner.StandardOutput);
    }

    private static int Count(ProcessResult result, string pattern) => Regex.Matches(result.StandardOutput, pattern).Count;

    // An app with a project reference, so that the split strategy has two layers to build.
    private string WriteAppWithLibrary(string name)
    {
        string project = _bed.WriteProject(name, $"""
              <ItemGroup>
                <ProjectReference Include="../{name}Lib/{name}Lib.csproj" />
              </ItemGroup>
            """);
        string library = Path.Combine(Path.GetDirectoryName(project)!, $"{name}Lib");
        Directory.CreateDirectory(library);
        File.WriteAllText(Path.Combine(library, $"{name}Lib.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(library, "Greeting.cs"), "public static class Greeting { public const string Text = \"hello\"; }\n");
        return project;
    }
}
