using System.Diagnostics;

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

    public KillTests(TestBed bed)
    {
        _bed = bed;
    }

    [Fact]
    public async Task Killed_pull_leaves_consistent_store()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        int duration = await MeasureAsync(_bed.NewDirectory("timed-pull"), "pull", "--tls-verify=false", _bed.BaseImage);
        int killed = 0;
        for (int round = 0; round < Rounds; round++)
        {
            string store = _bed.NewDirectory("killed-pull");
            int delay = NextDelay(random, round, duration);

            killed += await RunAndKillAsync(store, delay, "pull", "--tls-verify=false", _bed.BaseImage) ? 1 : 0;

            await AssertRepairableAsync(store, $"seed {seed}, round {round}: pull killed after {delay} ms");
            var pull = await _bed.OcibuildAsync(store, "pull", "--tls-verify=false", _bed.BaseImage);
            Assert.True(pull.ExitCode == 0, $"seed {seed}, round {round}: pull after repair failed: {pull}");
            await AssertCleanAsync(store, $"seed {seed}, round {round}: after a whole pull");
        }

        Assert.True(killed > 0, $"seed {seed}: every pull ended before its kill, within {duration} ms");
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
        await MeasureAsync(store, "from", "--tls-verify=false", "--name", "timed-cold", _bed.BaseImage);
        int duration = await MeasureAsync(store, "from", "--tls-verify=false", "--name", "timed", _bed.BaseImage);
        int killed = 0;

        for (int round = 0; round < Rounds; round++)
        {
            int delay = NextDelay(random, round, duration);

            killed += await RunAndKillAsync(store, delay, "from", "--tls-verify=false", "--name", $"killed-{round}", _bed.BaseImage) ? 1 : 0;

            await AssertRepairableAsync(store, $"seed {seed}, round {round}: from killed after {delay} ms");
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

    // The first round kills within the first tenth of a run, which lands before the process can finish
    // even on a fast machine; the other rounds pick any point of a run.
    private static int NextDelay(Random random, int round, int duration)
        => round == 0 ? random.Next(0, Math.Max(1, duration / 10)) : random.Next(0, duration);

    // Returns how many milliseconds a whole run takes here, so that kills land at any point of one.
    private async Task<int> MeasureAsync(string store, params string[] arguments)
    {
        var stopwatch = Stopwatch.StartNew();
        var result = await _bed.OcibuildAsync(store, arguments);
        Assert.True(result.ExitCode == 0, result.ToString());
        return (int)stopwatch.ElapsedMilliseconds;
    }

    // Starts ocibuild and sends SIGKILL after the delay, unless it has ended by then. Returns whether it was killed.
    private async Task<bool> RunAndKillAsync(string store, int delayMilliseconds, params string[] arguments)
    {
        var start = new ProcessStartInfo(RepositoryPaths.Ocibuild)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["OCIBUILD_STORAGE"] = store;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await Task.Delay(delayMilliseconds);
        bool killed = !process.HasExited;
        if (killed)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        await Task.WhenAll(output, errors);
        return killed;
    }

    // A killed writer may leave temporary files and container folders without a record, and nothing
    // else: no damaged blob, dangling image or container record without its folder.
    private async Task AssertRepairableAsync(string store, string context)
    {
        var check = await _bed.OcibuildAsync(store, "check");
        var problems = check.StandardOutput.Split('\n').Where(line => line.Contains(": ", StringComparison.Ordinal) && !line.StartsWith("checked ", StringComparison.Ordinal)).ToList();
        Assert.True(
            problems.All(p => p.StartsWith("partial file: ", StringComparison.Ordinal) || p.StartsWith("folder without container: ", StringComparison.Ordinal)),
            $"{context}: check found more than leftovers: {check}");

        var repair = await _bed.OcibuildAsync(store, "check", "--repair");
        Assert.True(repair.ExitCode == 0, $"{context}: repair failed: {repair}");
        await AssertCleanAsync(store, context + ", after repair");
    }

    private async Task AssertCleanAsync(string store, string context)
    {
        var check = await _bed.OcibuildAsync(store, "check");
        Assert.True(check.ExitCode == 0, $"{context}: check is not clean: {check}");
        Assert.Contains("0 problems found", check.StandardOutput, StringComparison.Ordinal);
    }
}
