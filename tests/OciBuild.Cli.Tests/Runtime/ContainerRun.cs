using System.Diagnostics;
using System.Runtime.Versioning;
using OciBuild.Cli.Runtime;
using OciBuild.Core;

namespace OciBuild.Cli.Tests.Runtime;

/// <summary>The result of running a container with its output captured.</summary>
[SupportedOSPlatform("linux")]
public sealed record ContainerRun(int ExitCode, string StandardOutput, string StandardError, IReadOnlyList<string> DebugLog)
{
    /// <summary>Runs <paramref name="args"/> (or the image's command when null) through <see cref="ContainerRunner"/>.</summary>
    public static async Task<ContainerRun> StartAsync(
        TemporaryRootfs rootfs,
        string[]? args,
        RunOptions? options = null,
        ImageConfig? image = null,
        string containerName = "ocibuild-test")
    {
        var standardOutput = new CapturedOutput();
        var standardError = new CapturedOutput();
        var debugLog = new List<string>();
        RunOptions effective = (options ?? new RunOptions()) with { Args = args ?? options?.Args };

        int exitCode = await new ContainerRunner().RunAsync(
            rootfs.Path, image ?? new ImageConfig(), effective, containerName, standardOutput, standardError,
            line => { lock (debugLog) { debugLog.Add(line); } }, CancellationToken.None);

        return new ContainerRun(exitCode, standardOutput.Text, standardError.Text, debugLog);
    }

    /// <summary>Returns the runc container id, taken from the logged <c>runc run</c> command line.</summary>
    public string ContainerId => DebugLog.Single(line => line.Contains(" run --bundle ", StringComparison.Ordinal)).Split(' ')[^1];

    /// <summary>Returns the ids of the containers that <c>runc list</c> shows.</summary>
    public static async Task<string[]> ListRuncContainersAsync()
    {
        var startInfo = new ProcessStartInfo(RuncRuntime.Locate().ExecutablePath, "list --quiet") { RedirectStandardOutput = true };
        using Process process = Process.Start(startInfo)!;
        string output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
