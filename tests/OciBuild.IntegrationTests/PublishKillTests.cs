using System.Diagnostics;

namespace OciBuild.IntegrationTests;

/// <summary>
/// <c>dotnet publish</c> of a sample into the local store (<c>OciLocalStore</c>), with its whole
/// process group killed at random points: the store is repairable per <c>ocibuild check</c>, and the
/// next publish succeeds and leaves it clean.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class PublishKillTests
{
    // A publish takes some seconds, so fewer rounds than the CLI kill tests still cover its steps.
    private const int Rounds = 4;

    private readonly TestBed _bed;
    private readonly KillHarness _harness;

    public PublishKillTests(TestBed bed)
    {
        _bed = bed;
        _harness = new KillHarness(bed);
    }

    [Fact]
    public async Task Killed_publish_leaves_repairable_store()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);

        // A project of its own, so that a build killed while it writes obj/ cannot upset other tests.
        string project = _bed.WriteProject("KillEcho", "");
        var environment = new Dictionary<string, string?> { ["NUGET_PACKAGES"] = Path.Combine(_bed.WorkDirectory, "nuget-packages") };

        // The first publish restores and compiles; the rounds below run incremental builds, so time a
        // second one. Each round publishes into a new store, so that every one copies the base image.
        var first = await ProcessRunner.RunAsync("dotnet", PublishArguments(_bed.NewDirectory("warm-store")), project, environment);
        Assert.True(first.ExitCode == 0, first.ToString());
        var stopwatch = Stopwatch.StartNew();
        var timed = await ProcessRunner.RunAsync("dotnet", PublishArguments(_bed.NewDirectory("timed-store")), project, environment);
        int duration = (int)stopwatch.ElapsedMilliseconds;
        Assert.True(timed.ExitCode == 0, timed.ToString());
        int killed = 0;

        for (int round = 0; round < Rounds; round++)
        {
            string store = _bed.NewDirectory("killed-publish");
            int delay = KillHarness.NextDelay(random, round, duration);
            string context = $"seed {seed}, round {round}: publish killed after {delay} ms";

            killed += await KillHarness.RunAndKillAsync("dotnet", PublishArguments(store), project, environment, delay) ? 1 : 0;

            await _harness.AssertRepairableAsync(store, context);
            var publish = await ProcessRunner.RunAsync("dotnet", PublishArguments(store), project, environment);
            Assert.True(publish.ExitCode == 0, $"{context}: the publish after it failed: {publish}");
            await _harness.AssertCleanAsync(store, $"{context}, published again");
            var images = await _bed.OcibuildAsync(store, "images");
            Assert.Contains("localhost/killecho:latest", images.StandardOutput, StringComparison.Ordinal);
        }

        Assert.True(killed > 0, $"seed {seed}: every publish ended before its kill, within {duration} ms");
    }

    // No MSBuild node or build server outlives the publish, so the kill reaches every process that writes.
    private string[] PublishArguments(string store) =>
    [
        "publish", "-c", "Release", "-nologo", "-v:minimal", "-nodeReuse:false", "--disable-build-servers", "-t:PublishOciImage",
        $"-p:OciLocalStore={store}", "-p:OciTlsVerify=false", $"-p:OciBaseImage={_bed.BaseImage}",
    ];
}
