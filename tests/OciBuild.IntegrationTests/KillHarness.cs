using System.Diagnostics;
using System.Runtime.InteropServices;

namespace OciBuild.IntegrationTests;

/// <summary>
/// What the kill tests share: timing a whole run, killing a run after a random delay, and checking
/// the store that a killed run leaves with <c>ocibuild check</c>.
/// </summary>
public sealed class KillHarness
{
    private const int SignalKill = 9;

    private readonly TestBed _bed;

    public KillHarness(TestBed bed)
    {
        _bed = bed;
    }

    // The first round kills within the first tenth of a run, so that at least one kill lands before the
    // process can finish on a fast machine. The other rounds pick any point of a run.
    public static int NextDelay(Random random, int round, int duration)
        => round == 0 ? random.Next(0, Math.Max(1, duration / 10)) : random.Next(0, duration);

    /// <summary>Returns how many milliseconds a whole ocibuild run takes here, so that kills land at any point of one.</summary>
    public async Task<int> MeasureAsync(string store, params string[] arguments)
    {
        var stopwatch = Stopwatch.StartNew();
        var result = await _bed.OcibuildAsync(store, arguments);
        Assert.True(result.ExitCode == 0, result.ToString());
        return (int)stopwatch.ElapsedMilliseconds;
    }

    /// <summary>Starts ocibuild and sends SIGKILL after the delay, unless it has ended by then. Returns whether it was killed.</summary>
    public Task<bool> RunAndKillAsync(string store, int delayMilliseconds, params string[] arguments)
        => RunAndKillAsync(RepositoryPaths.Ocibuild, arguments, _bed.WorkDirectory, new Dictionary<string, string?> { ["OCIBUILD_STORAGE"] = store }, delayMilliseconds);

    /// <summary>
    /// Starts a program in a process group of its own and sends SIGKILL to the whole group after the
    /// delay, unless the program has ended by then. <c>dotnet publish</c> runs MSBuild nodes and the
    /// compiler as child processes, and killing only the parent would leave them writing. Returns
    /// whether the group was killed.
    /// </summary>
    public static async Task<bool> RunAndKillAsync(string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string?> environment, int delayMilliseconds)
    {
        // setsid execs the program in place, because a child of this process never leads a process
        // group, so the program's process ID is also its group's ID.
        var start = ProcessRunner.CreateStartInfo("setsid", [fileName, .. arguments], workingDirectory, environment);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await Task.Delay(delayMilliseconds);
        bool killed = !process.HasExited;
        if (killed)
        {
            Assert.True(Kill(-process.Id, SignalKill) == 0, $"kill -KILL -{process.Id} failed with errno {Marshal.GetLastPInvokeError()}");
        }

        await process.WaitForExitAsync();
        await Task.WhenAll(output, errors);
        return killed;
    }

    /// <summary>
    /// Asserts that a killed writer left temporary files and container folders without a record, and
    /// nothing else: no damaged blob, dangling image or container record without its folder. Then
    /// repairs the store and asserts that it is clean.
    /// </summary>
    public async Task AssertRepairableAsync(string store, string context)
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

    public async Task AssertCleanAsync(string store, string context)
    {
        var check = await _bed.OcibuildAsync(store, "check");
        Assert.True(check.ExitCode == 0, $"{context}: check is not clean: {check}");
        Assert.Contains("0 problems found", check.StandardOutput, StringComparison.Ordinal);

        // An extraction into the layer cache that a kill cut short leaves a .tmp- folder, which check must find.
        string layers = Path.Combine(store, "layers");
        if (Directory.Exists(layers))
        {
            Assert.True(Directory.GetDirectories(layers, ".tmp-*").Length == 0, $"{context}: check is clean, but unfinished layer extractions remain in {layers}");
        }
    }

    // DllImport rather than LibraryImport, which would need unsafe code enabled for the project.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int processId, int signal);
}
