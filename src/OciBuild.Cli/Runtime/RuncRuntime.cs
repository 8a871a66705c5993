using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using OciBuild.Core.Errors;

namespace OciBuild.Cli.Runtime;

/// <summary>
/// Runs OCI bundles with the runc command-line tool, in the foreground, with the caller's stdin,
/// stdout and stderr, and returns the container process's exit code.
/// </summary>
public sealed partial class RuncRuntime
{
    /// <summary>Environment variable that names the runc binary to use, by path or by a name on PATH.</summary>
    public const string RuntimeEnvironmentVariable = "OCIBUILD_RUNTIME";

    private static readonly string[] FallbackPaths = ["/usr/sbin/runc", "/usr/bin/runc"];

    public RuncRuntime(string executablePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(executablePath);
        ExecutablePath = executablePath;
    }

    public string ExecutablePath { get; }

    /// <summary>
    /// Time a cancelled run gives the container to exit after SIGTERM before it sends SIGKILL. The default,
    /// 10 seconds, is the stop timeout Docker and Podman use.
    /// </summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Finds runc: the path or name in <c>OCIBUILD_RUNTIME</c>, else <c>runc</c> on PATH, else
    /// <c>/usr/sbin/runc</c> or <c>/usr/bin/runc</c>. Raises <see cref="OciException"/> with
    /// <see cref="ErrorCodes.RuntimeMissing"/> when none exists.
    /// </summary>
    public static RuncRuntime Locate() => Locate(Environment.GetEnvironmentVariable, FallbackPaths);

    internal static RuncRuntime Locate(Func<string, string?> getEnvironmentVariable, IReadOnlyList<string> fallbackPaths)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new OciException(ErrorCodes.RuntimeMissing, "running containers needs Linux, where runc is available");
        }

        string? path = getEnvironmentVariable("PATH");
        string? configured = getEnvironmentVariable(RuntimeEnvironmentVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            string? found = configured.Contains('/')
                ? (IsExecutableFile(configured) ? Path.GetFullPath(configured) : null)
                : SearchPath(configured, path);
            return found is not null
                ? new RuncRuntime(found)
                : throw new OciException(ErrorCodes.RuntimeMissing,
                    $"{RuntimeEnvironmentVariable} is set to \"{configured}\", which is not an executable file; point it at the runc binary or unset it");
        }

        string? runc = SearchPath("runc", path) ?? fallbackPaths.FirstOrDefault(IsExecutableFile);
        return runc is not null
            ? new RuncRuntime(runc)
            : throw new OciException(ErrorCodes.RuntimeMissing,
                $"runc not found; install it with `apt-get install runc` or set {RuntimeEnvironmentVariable}");
    }

    /// <inheritdoc cref="RunAsync(string, string, Stream?, Stream?, Action{string}?, CancellationToken)"/>
    public Task<int> RunAsync(string bundleDirectory, string containerId, Action<string>? debugLog, CancellationToken cancellationToken) =>
        RunAsync(bundleDirectory, containerId, null, null, debugLog, cancellationToken);

    /// <summary>
    /// Runs the bundle in <paramref name="bundleDirectory"/> as <paramref name="containerId"/> with
    /// <c>runc run</c>, then deletes the container whatever happened. Returns the exit code of the
    /// container's process, 128 + N when signal N killed it.
    /// </summary>
    /// <remarks>
    /// SIGINT and SIGTERM sent to this process go on to the container (see <see cref="RuncSignalForwarder"/>).
    /// Cancelling <paramref name="cancellationToken"/> sends SIGTERM, then SIGKILL after
    /// <see cref="StopTimeout"/>, and raises <see cref="OperationCanceledException"/> once the container
    /// is gone. When runc itself fails (invalid spec, command not found, failed mount) this raises an
    /// <see cref="OciException"/> with <see cref="ErrorCodes.RuntimeFailed"/> and runc's message.
    /// </remarks>
    /// <param name="standardOutput">Receives the container's stdout, or null to pass this process's stdout to it.</param>
    /// <param name="standardError">Receives the container's stderr, or null to pass this process's stderr to it.</param>
    /// <param name="debugLog">
    /// Receives each runc command line and runc's diagnostics. It may be called from the thread that
    /// handles a signal.
    /// </param>
    public async Task<int> RunAsync(
        string bundleDirectory,
        string containerId,
        Stream? standardOutput,
        Stream? standardError,
        Action<string>? debugLog,
        CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new OciException(ErrorCodes.RuntimeMissing, "running containers needs Linux, where runc is available");
        }

        if (!ContainerIdPattern().IsMatch(containerId))
        {
            throw new OciException(ErrorCodes.InvalidArgument,
                $"invalid container id \"{containerId}\": runc accepts only letters, digits, '_', '+', '-' and '.'");
        }

        cancellationToken.ThrowIfCancellationRequested();
        ExecutableCheck.VerifyBundle(bundleDirectory);

        string logPath = RuncLog.CreatePath(containerId);
        try
        {
            int exitCode = await RunForegroundAsync(
                ["--log", logPath, "--log-format", "json", "run", "--bundle", Path.GetFullPath(bundleDirectory), containerId],
                containerId, standardOutput, standardError, debugLog, cancellationToken);

            IReadOnlyList<string> errors = RuncLog.ReadErrors(logPath);
            cancellationToken.ThrowIfCancellationRequested();
            if (exitCode != 0 && errors.Count > 0)
            {
                throw new OciException(ErrorCodes.RuntimeFailed,
                    $"runc failed to run container {containerId}: {string.Join("; ", errors)}");
            }

            foreach (string error in errors)
            {
                debugLog?.Invoke($"runc reported an error after the container exited with code {exitCode}: {error}");
            }

            return exitCode;
        }
        finally
        {
            File.Delete(logPath);
            await DeleteAsync(containerId, debugLog);
        }
    }

    /// <summary>
    /// Deletes the container and kills its processes if any are left. `runc run` deletes a container that
    /// exits, but not one whose runc was killed or failed halfway. A failure here is only logged, so that
    /// it does not hide the run's own result or exception.
    /// </summary>
    private async Task DeleteAsync(string containerId, Action<string>? debugLog)
    {
        try
        {
            (int exitCode, string error) = await RunCapturedAsync(["delete", "--force", containerId], debugLog);
            if (exitCode != 0)
            {
                debugLog?.Invoke($"runc delete --force {containerId} failed with exit code {exitCode}: {error.Trim()}");
            }
        }
        catch (OciException e)
        {
            debugLog?.Invoke($"runc delete --force {containerId} failed: {e.Message}");
        }
    }

    [SupportedOSPlatform("linux")]
    private async Task<int> RunForegroundAsync(
        IReadOnlyList<string> arguments,
        string containerId,
        Stream? standardOutput,
        Stream? standardError,
        Action<string>? debugLog,
        CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(ExecutablePath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = standardOutput is not null,
            RedirectStandardError = standardError is not null,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using Process process = Start(startInfo, debugLog);
        Task copyOutput = standardOutput is null ? Task.CompletedTask : process.StandardOutput.BaseStream.CopyToAsync(standardOutput, CancellationToken.None);
        Task copyError = standardError is null ? Task.CompletedTask : process.StandardError.BaseStream.CopyToAsync(standardError, CancellationToken.None);

        Task KillContainer() => RunCapturedAsync(["kill", containerId, "KILL"], debugLog);
        using var forwarder = new RuncSignalForwarder(process, KillContainer, debugLog);
        Task stop = Task.CompletedTask;
        using (cancellationToken.Register(() => stop = StopAsync(process, forwarder, KillContainer, debugLog)))
        {
            await process.WaitForExitAsync(CancellationToken.None);
        }

        await Task.WhenAll(copyOutput, copyError, stop, forwarder.KillTask ?? Task.CompletedTask);
        return process.ExitCode;
    }

    [SupportedOSPlatform("linux")]
    private async Task StopAsync(Process process, RuncSignalForwarder forwarder, Func<Task> killContainer, Action<string>? debugLog)
    {
        debugLog?.Invoke($"run cancelled; sending SIGTERM to the container, then SIGKILL after {StopTimeout.TotalSeconds} s");
        forwarder.Send(RuncSignalForwarder.SignalTerminate);
        try
        {
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(StopTimeout);
        }
        catch (TimeoutException)
        {
            await killContainer();
        }
    }

    /// <summary>Runs a short runc command such as <c>kill</c> or <c>delete</c> and returns its exit code and stderr.</summary>
    private async Task<(int ExitCode, string StandardError)> RunCapturedAsync(IReadOnlyList<string> arguments, Action<string>? debugLog)
    {
        var startInfo = new ProcessStartInfo(ExecutablePath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using Process process = Start(startInfo, debugLog);
        Task<string> output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        Task<string> error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        await process.WaitForExitAsync(CancellationToken.None);
        await output;
        return (process.ExitCode, await error);
    }

    private Process Start(ProcessStartInfo startInfo, Action<string>? debugLog)
    {
        debugLog?.Invoke(string.Join(' ', startInfo.ArgumentList.Prepend(ExecutablePath).Select(QuoteForShell)));
        try
        {
            return Process.Start(startInfo)
                   ?? throw new OciException(ErrorCodes.RuntimeFailed, $"could not start {ExecutablePath}");
        }
        catch (Win32Exception e)
        {
            throw new OciException(ErrorCodes.RuntimeMissing,
                $"could not start runc at {ExecutablePath}: {e.Message}; install it with `apt-get install runc` or set {RuntimeEnvironmentVariable}", e);
        }
    }

    [SupportedOSPlatform("linux")]
    private static string? SearchPath(string name, string? path) =>
        (path ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(directory => Path.Join(directory, name))
        .FirstOrDefault(IsExecutableFile);

    [SupportedOSPlatform("linux")]
    private static bool IsExecutableFile(string path) =>
        File.Exists(path) && (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    private static string QuoteForShell(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+=:,@".Contains(c))
            ? argument
            : "'" + argument.Replace("'", "'\\''") + "'";

    /// <summary>The container ids runc accepts.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9_+\-.]+$")]
    private static partial Regex ContainerIdPattern();
}
