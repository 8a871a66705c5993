using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Cli.Runtime;

/// <summary>
/// Runs a process from an image configuration on an unpacked rootfs: writes a temporary bundle, runs
/// it with runc and removes the bundle and any mount points runc had to create in the rootfs.
/// </summary>
public sealed class ContainerRunner
{
    private RuncRuntime? runtime;

    /// <param name="runtime">The runc to use, or null to find one with <see cref="RuncRuntime.Locate"/> on the first run.</param>
    public ContainerRunner(RuncRuntime? runtime = null)
    {
        this.runtime = runtime;
    }

    /// <inheritdoc cref="RunAsync(string, ImageConfig, RunOptions, string, Stream?, Stream?, Action{string}?, CancellationToken)"/>
    public Task<int> RunAsync(
        string rootfsPath,
        ImageConfig image,
        RunOptions options,
        string containerName,
        Action<string>? debugLog,
        CancellationToken cancellationToken) =>
        RunAsync(rootfsPath, image, options, containerName, null, null, debugLog, cancellationToken);

    /// <summary>
    /// Runs the image's process (or <see cref="RunOptions.Args"/>) on <paramref name="rootfsPath"/> and
    /// returns its exit code. The runc container id is <paramref name="containerName"/> with a random
    /// suffix, so two runs of one working container do not collide. The hostname defaults to
    /// <paramref name="containerName"/>.
    /// </summary>
    /// <param name="standardOutput">Receives the container's stdout, or null to pass this process's stdout to it.</param>
    /// <param name="standardError">Receives the container's stderr, or null to pass this process's stderr to it.</param>
    /// <param name="debugLog">
    /// Receives the runtime spec and the runc command lines. The spec includes the environment
    /// variables, so a caller that passes secrets in them should not print this log.
    /// </param>
    public async Task<int> RunAsync(
        string rootfsPath,
        ImageConfig image,
        RunOptions options,
        string containerName,
        Stream? standardOutput,
        Stream? standardError,
        Action<string>? debugLog,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(containerName);

        if (options.Terminal && !HasControllingTerminal())
        {
            throw new OciException(ErrorCodes.InvalidArgument,
                "a terminal was requested for the container, but this process has no controlling terminal; run it from a terminal or without the terminal option");
        }

        runtime ??= RuncRuntime.Locate();
        string name = ToRuncName(containerName);
        string containerId = $"{name}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        RunOptions effectiveOptions = options with { Hostname = options.Hostname ?? name[..Math.Min(name.Length, 64)] };

        DirectoryInfo bundle = Directory.CreateTempSubdirectory("ocibuild-bundle-");
        CreatedMountPoints? mountPoints = null;
        try
        {
            JsonObject spec = RuntimeBundle.Write(bundle.FullName, rootfsPath, image, effectiveOptions);
            debugLog?.Invoke($"runtime spec of container {containerId} ({Path.Join(bundle.FullName, RuntimeBundle.ConfigFileName)}):\n"
                             + spec.ToJsonString(RuntimeBundle.IndentedJson));

            IEnumerable<string> destinations = spec["mounts"]!.AsArray().Select(mount => mount!["destination"]!.GetValue<string>());
            mountPoints = CreatedMountPoints.Record(rootfsPath, destinations);

            return await runtime.RunAsync(bundle.FullName, containerId, standardOutput, standardError, debugLog, cancellationToken);
        }
        finally
        {
            mountPoints?.RemoveEmpty(debugLog);
            try
            {
                bundle.Delete(recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                debugLog?.Invoke($"could not delete the bundle directory {bundle.FullName}: {e.Message}");
            }
        }
    }

    /// <summary>
    /// Tells whether this process has a controlling terminal, which runc needs to connect a container's
    /// pseudo-terminal to; without one runc fails with "open /dev/tty: no such device or address".
    /// </summary>
    private static bool HasControllingTerminal()
    {
        try
        {
            using FileStream terminal = File.Open("/dev/tty", FileMode.Open, FileAccess.ReadWrite);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Returns <paramref name="containerName"/> with each character that is invalid in a runc container
    /// id or in a hostname replaced by '-'.
    /// </summary>
    private static string ToRuncName(string containerName)
    {
        var name = new StringBuilder(containerName.Length);
        foreach (char c in containerName)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '-');
        }

        string trimmed = name.ToString().Trim('-', '.');
        return trimmed.Length > 0 ? trimmed : "container";
    }
}
