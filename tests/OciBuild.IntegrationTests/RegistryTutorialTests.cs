namespace OciBuild.IntegrationTests;

/// <summary>Runs tests/registry-tutorial.sh, so that CI replays the registry tutorial with ocibuild.</summary>
public sealed class RegistryTutorialTests
{
    [Fact]
    public async Task Registry_tutorial_script_passes()
    {
        string script = Path.Combine(RepositoryPaths.Root, "tests", "registry-tutorial.sh");

        var result = await ProcessRunner.RunAsync("bash", [script], environment: new Dictionary<string, string?> { ["OCIBUILD"] = RepositoryPaths.Ocibuild });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.EndsWith("registry-tutorial: all steps passed\n", result.StandardOutput);
    }
}
