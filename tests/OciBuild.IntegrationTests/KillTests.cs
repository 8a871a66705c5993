namespace OciBuild.IntegrationTests;

/// <summary>
/// <c>ocibuild pull</c> and <c>from</c> killed with SIGKILL at random points leave a store that
/// <c>ocibuild check</c> finds consistent: at most temporary files and container folders without a
/// record, which <c>--repair</c> removes.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class KillTests
{
    private const int Rounds = 6;

    private readonly TestBed _bed;
    private readonly KillHarness _harness;

    public KillTests(TestBed bed)
    {
        _bed = bed;
        _harness = new KillHarness(bed);
    }

    [Fact]
    public async Task Killed_pull_leaves_consistent_store()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        int duration = await _harness.MeasureAsync(_bed.NewDirectory("timed-pull"), "pull", "--tls-verify=false", _bed.BaseImage);
        int killed = 0;
        for (int round = 0; round < Rounds; round++)
        {
            string store = _bed.NewDirectory("killed-pull");
            int delay = KillHarness.NextDelay(random, round, duration);

            killed += await _harness.RunAndKillAsync(store, delay, "pull", "--tls-verify=false", _bed.BaseImage) ? 1 : 0;

            await _harness.AssertRepairableAsync(store, $"seed {seed}, round {round}: pull killed after {delay} ms");
            var pull = await _bed.OcibuildAsync(store, "pull", "--tls-verify=false", _bed.BaseImage);
            Assert.True(pull.ExitCode == 0, $"seed {seed}, round {round}: pull after repair failed: {pull}");
            await _harness.AssertCleanAsync(store, $"seed {seed}, round {round}: after a whole pull");
        }

        Assert.True(killed > 0, $"seed {seed}: every pull ended before its kill, within {duration} ms");
    }

    [Fact]
    public async Task Killed_cold_from_leaves_consistent_store()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        int duration = await _harness.MeasureAsync(await PulledStoreAsync(), "from", "--tls-verify=false", "--name", "timed", _bed.BaseImage);
        int killed = 0;

        for (int round = 0; round < Rounds; round++)
        {
            // A store with the image but an empty layer cache, so that the kill lands while from extracts layers.
            string store = await PulledStoreAsync();
            int delay = KillHarness.NextDelay(random, round, duration);

            killed += await _harness.RunAndKillAsync(store, delay, "from", "--tls-verify=false", "--name", "killed", _bed.BaseImage) ? 1 : 0;

            await _harness.AssertRepairableAsync(store, $"seed {seed}, round {round}: cold from killed after {delay} ms");
            // Another name, because a kill after from recorded its container leaves "killed" in place.
            var from = await _bed.OcibuildAsync(store, "from", "--tls-verify=false", "--name", "after-kill", _bed.BaseImage);
            Assert.True(from.ExitCode == 0, $"seed {seed}, round {round}: from after repair failed: {from}");
        }

        Assert.True(killed > 0, $"seed {seed}: every cold from ended before its kill, within {duration} ms");
    }

    [Fact]
    public async Task Killed_from_leaves_consistent_store()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        string store = _bed.NewDirectory("killed-from");
        var pull = await _bed.OcibuildAsync(store, "pull", "--tls-verify=false", _bed.BaseImage);
        Assert.True(pull.ExitCode == 0, pull.ToString());
        // The first from fills the layer cache; the rounds below find it full, so time a second one.
        await _harness.MeasureAsync(store, "from", "--tls-verify=false", "--name", "timed-cold", _bed.BaseImage);
        int duration = await _harness.MeasureAsync(store, "from", "--tls-verify=false", "--name", "timed", _bed.BaseImage);
        int killed = 0;

        for (int round = 0; round < Rounds; round++)
        {
            int delay = KillHarness.NextDelay(random, round, duration);

            killed += await _harness.RunAndKillAsync(store, delay, "from", "--tls-verify=false", "--name", $"killed-{round}", _bed.BaseImage) ? 1 : 0;

            await _harness.AssertRepairableAsync(store, $"seed {seed}, round {round}: from killed after {delay} ms");
        }

        Assert.True(killed > 0, $"seed {seed}: every from ended before its kill, within {duration} ms");

        var containers = await _bed.OcibuildAsync(store, "containers", "--json");
        using var list = System.Text.Json.JsonDocument.Parse(containers.StandardOutput);
        foreach (var container in list.RootElement.EnumerateArray())
        {
            // The rootfs may be an overlay mounted on demand, so look at it through `mount`.
            string id = container.GetProperty("id").GetString()!;
            var mount = await _bed.OcibuildAsync(store, "mount", id);
            Assert.True(mount.ExitCode == 0, $"seed {seed}: container {id} is listed but cannot be mounted: {mount}");
            bool complete = Directory.Exists(Path.Combine(mount.StandardOutput.Trim(), "usr"));
            await _bed.OcibuildAsync(store, "umount", id);
            Assert.True(complete, $"seed {seed}: container {id} is listed but its rootfs is incomplete");
        }
    }

    private async Task<string> PulledStoreAsync()
    {
        string store = _bed.NewDirectory("killed-cold-from");
        var pull = await _bed.OcibuildAsync(store, "pull", "--tls-verify=false", _bed.BaseImage);
        Assert.True(pull.ExitCode == 0, pull.ToString());
        return store;
    }
}
