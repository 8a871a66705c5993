namespace OciBuild.IntegrationTests;

/// <summary>
/// A solution of several projects published with parallel MSBuild nodes into one local store, as
/// <c>dotnet publish</c> of a solution with <c>OciPublish=true</c> does.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class SolutionPublishTests
{
    private static readonly string[] Projects = ["SlnEchoA", "SlnEchoB", "SlnEchoC"];

    private readonly TestBed _bed;

    public SolutionPublishTests(TestBed bed)
    {
        _bed = bed;
    }

    [Fact]
    public async Task Parallel_solution_publish_shares_store()
    {
        string store = _bed.NewDirectory("solution-store");
        string solutionDirectory = Path.Combine(Path.GetDirectoryName(_bed.SampleDirectory)!, "SlnEcho");
        Directory.CreateDirectory(solutionDirectory);
        await ProcessRunner.RunCheckedAsync("dotnet", ["new", "sln", "--name", "SlnEcho", "--format", "sln"], solutionDirectory);
        foreach (string name in Projects)
        {
            string project = _bed.WriteProject(name, "");
            await ProcessRunner.RunCheckedAsync("dotnet", ["sln", "SlnEcho.sln", "add", Path.Combine(project, $"{name}.csproj")], solutionDirectory);
        }

        string[] arguments =
        [
            "publish", "SlnEcho.sln", "-c", "Release", "-nologo", "-v:minimal", "-m", "-nodeReuse:false",
            "-p:OciPublish=true", $"-p:OciLocalStore={store}", "-p:OciTlsVerify=false", $"-p:OciBaseImage={_bed.BaseImage}",
        ];
        var environment = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = Path.Combine(_bed.WorkDirectory, "nuget-packages") };
        var publish = await ProcessRunner.RunAsync("dotnet", arguments, solutionDirectory, environment);
        var images = await _bed.OcibuildAsync(store, "images");
        var check = await _bed.OcibuildAsync(store, "check");

        Assert.True(publish.ExitCode == 0, publish.ToString());
        foreach (string name in Projects)
        {
            Assert.Contains($"localhost/{name.ToLowerInvariant()}:latest", images.StandardOutput, StringComparison.Ordinal);
        }

        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains("checked 3 images", check.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("0 problems found", check.StandardOutput, StringComparison.Ordinal);
    }
}
