namespace OciBuild.IntegrationTests;

/// <summary>Several ocibuild processes writing one store at once all succeed and leave it consistent.</summary>
[Collection(TestBedCollection.Name)]
public sealed class ConcurrentStoreTests
{
    private readonly TestBed _bed;

    public ConcurrentStoreTests(TestBed bed)
    {
        _bed = bed;
    }

    [Fact]
    public async Task Parallel_pulls_and_froms_all_succeed()
    {
        string store = _bed.NewDirectory("shared-store");
        string runtime = _bed.BaseImage;
        string runtimeDeps = $"{_bed.Registry.Address}/dotnet/runtime-deps:10.0";

        // Pulls and froms of the same image race to store its blobs, and each from pulls its image
        // itself when no parallel pull has stored it yet.
        string[][] commands =
        [
            ["pull", "--tls-verify=false", runtime],
            ["pull", "--tls-verify=false", runtimeDeps],
            ["from", "--tls-verify=false", "--name", "first", runtime],
            ["from", "--tls-verify=false", "--name", "second", runtimeDeps],
            ["from", "--tls-verify=false", "--name", "third", runtime],
            ["pull", "--tls-verify=false", runtime],
        ];
        var results = await Task.WhenAll(commands.Select(arguments => _bed.OcibuildAsync(store, arguments)));
        var check = await _bed.OcibuildAsync(store, "check");
        var containers = await _bed.OcibuildAsync(store, "containers");

        for (int i = 0; i < commands.Length; i++)
        {
            Assert.True(results[i].ExitCode == 0, $"ocibuild {string.Join(' ', commands[i])} failed: {results[i]}");
        }

        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains("checked 2 images", check.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("3 containers", check.StandardOutput, StringComparison.Ordinal);
        foreach (string name in new[] { "first", "second", "third" })
        {
            Assert.Contains(name, containers.StandardOutput, StringComparison.Ordinal);
        }
    }
}
