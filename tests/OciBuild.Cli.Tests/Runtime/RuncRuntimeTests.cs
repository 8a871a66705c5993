using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using OciBuild.Cli.Runtime;
using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Cli.Tests.Runtime;

/// <summary>Signals, cancellation and errors of <see cref="RuncRuntime.RunAsync(string, string, Stream?, Stream?, Action{string}?, CancellationToken)"/> under the real runc.</summary>
[Collection(RuncCollection.Name)]
[SupportedOSPlatform("linux")]
public sealed class RuncRuntimeTests : IDisposable
{
    private const int SignalTerminate = 15;

    private readonly TemporaryRootfs rootfs = BusyboxRootfs.Create();
    private readonly string bundle = Directory.CreateTempSubdirectory("ocibuild-test-bundle-").FullName;
    private readonly string containerId = $"ocibuild-test-{Guid.NewGuid():N}";
    private readonly List<string> debugLog = [];

    public void Dispose()
    {
        rootfs.Dispose();
        Directory.Delete(bundle, recursive: true);
    }

    [Fact]
    public async Task Killed_container_exits_with_128_plus_signal()
    {
        var output = new CapturedOutput("ready");
        Task<int> run = Start("echo ready; exec sleep 600", output);
        await WaitForAsync(output, run);

        await RuncAsync("kill", containerId, "KILL");

        Assert.Equal(128 + 9, await run);
    }

    [Fact]
    public async Task Sigterm_to_this_process_reaches_the_container()
    {
        var output = new CapturedOutput("ready");
        Task<int> run = Start("trap 'echo got TERM; exit 42' TERM; echo ready; sleep 600 & wait", output);
        await WaitForAsync(output, run);

        Assert.Equal(0, Kill(Environment.ProcessId, SignalTerminate));

        Assert.Equal(42, await run);
        Assert.Equal("ready\ngot TERM\n", output.Text);
        Assert.Contains(debugLog, line => line.StartsWith("forwarding SIGTERM to runc", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Second_sigterm_kills_the_container()
    {
        var output = new CapturedOutput("ready");
        var forwarded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<int> run = Start("echo ready; sleep 600", output, line =>
        {
            if (line.StartsWith("forwarding SIGTERM", StringComparison.Ordinal))
            {
                forwarded.TrySetResult();
            }
        });
        await WaitForAsync(output, run);

        // A shell as PID 1 without a trap ignores the first SIGTERM.
        Assert.Equal(0, Kill(Environment.ProcessId, SignalTerminate));
        await forwarded.Task;
        Assert.Equal(0, Kill(Environment.ProcessId, SignalTerminate));

        Assert.Equal(128 + 9, await run);
    }

    [Fact]
    public async Task Cancellation_stops_the_container_with_sigterm()
    {
        var output = new CapturedOutput("ready");
        using var cancellation = new CancellationTokenSource();
        Task<int> run = Start("trap 'echo got TERM; exit 3' TERM; echo ready; sleep 600 & wait", output, cancellationToken: cancellation.Token);
        await WaitForAsync(output, run);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal("ready\ngot TERM\n", output.Text);
        Assert.DoesNotContain(containerId, await ContainerRun.ListRuncContainersAsync());
    }

    [Fact]
    public async Task Cancellation_kills_a_container_that_ignores_sigterm()
    {
        var output = new CapturedOutput("ready");
        using var cancellation = new CancellationTokenSource();
        var runtime = new RuncRuntime(RuncRuntime.Locate().ExecutablePath) { StopTimeout = TimeSpan.Zero };
        Task<int> run = Start("echo ready; sleep 600", output, cancellationToken: cancellation.Token, runtime: runtime);
        await WaitForAsync(output, run);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Contains(debugLog, line => line.EndsWith($" kill {containerId} KILL", StringComparison.Ordinal));
        Assert.DoesNotContain(containerId, await ContainerRun.ListRuncContainersAsync());
    }

    [Fact]
    public async Task Debug_log_receives_runc_command_lines()
    {
        int exitCode = await Start("exit 0", new CapturedOutput());

        Assert.Equal(0, exitCode);
        string runc = RuncRuntime.Locate().ExecutablePath;
        Assert.Contains(debugLog, line => line.StartsWith($"{runc} --log ", StringComparison.Ordinal)
                                          && line.EndsWith($" run --bundle {bundle} {containerId}", StringComparison.Ordinal));
        Assert.Equal($"{runc} delete --force {containerId}", debugLog[^1]);
    }

    [Fact]
    public async Task Invalid_spec_raises_runtime_failed_with_runc_message()
    {
        RuntimeBundle.Write(bundle, rootfs.Path, Image(), new RunOptions { Args = ["sh"] });
        string config = Path.Join(bundle, RuntimeBundle.ConfigFileName);
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"type\": \"mount\"", "\"type\": \"no-such-namespace\""));

        var error = await Assert.ThrowsAsync<OciException>(() =>
            new RuncRuntime(RuncRuntime.Locate().ExecutablePath).RunAsync(bundle, containerId, null, CancellationToken.None));

        Assert.Equal(ErrorCodes.RuntimeFailed, error.Code);
        Assert.Contains($"runc failed to run container {containerId}: ", error.Message);
        Assert.Contains("no-such-namespace", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("a/b")]
    public async Task Invalid_container_id_is_rejected(string id)
    {
        var runtime = new RuncRuntime(RuncRuntime.Locate().ExecutablePath);

        var error = await Assert.ThrowsAsync<OciException>(() => runtime.RunAsync(bundle, id, null, CancellationToken.None));

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
    }

    private Task<int> Start(
        string script,
        CapturedOutput output,
        Action<string>? onDebugLine = null,
        CancellationToken cancellationToken = default,
        RuncRuntime? runtime = null)
    {
        RuntimeBundle.Write(bundle, rootfs.Path, Image(), new RunOptions { Args = ["sh", "-c", script], Hostname = "test" });
        runtime ??= new RuncRuntime(RuncRuntime.Locate().ExecutablePath);
        return runtime.RunAsync(bundle, containerId, output, null, line =>
        {
            lock (debugLog)
            {
                debugLog.Add(line);
            }

            onDebugLine?.Invoke(line);
        }, cancellationToken);
    }

    /// <summary>Waits until the container printed its marker, failing if it exited before that.</summary>
    private static async Task WaitForAsync(CapturedOutput output, Task<int> run)
    {
        Task first = await Task.WhenAny(output.MarkerSeen, run);
        if (first == run)
        {
            Assert.Fail($"the container exited with code {await run} before it was ready; its output was: {output.Text}");
        }
    }

    private static async Task RuncAsync(params string[] arguments)
    {
        using Process process = Process.Start(RuncRuntime.Locate().ExecutablePath, arguments);
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
    }

    private static ImageConfig Image() => new() { Config = new ContainerConfig() };

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int processId, int signal);
}
