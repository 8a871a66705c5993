using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OciBuild.Transport.Configuration;
using OciBuild.Transport.Registry;

namespace OciBuild.Transport.Credentials;

/// <summary>
/// Runs a Docker credential helper, <c>docker-credential-NAME get</c>, which reads the server URL on
/// standard input and writes <c>{"ServerURL", "Username", "Secret"}</c> on standard output.
/// </summary>
internal static class CredentialHelper
{
    // Keychain helpers may wait for a desktop prompt; a helper that never ends must not hang the build.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    // The text that docker-credential-helpers prints, with exit code 1, for a registry it stores nothing for.
    private const string NotFoundMessage = "credentials not found in native keychain";

    /// <summary>Returns the helper's credentials for <paramref name="registry"/>, or null when it has none or fails (with a warning).</summary>
    public static async Task<RegistryCredentials?> GetAsync(string helperName, string registry, UserEnvironment environment, ILogger logger, CancellationToken cancellationToken)
    {
        string program = "docker-credential-" + helperName;
        string? path = FindOnPath(program, environment);
        if (path is null)
        {
            logger.LogWarning("credential helper {Program} for {Registry} is not on PATH; continuing without its credentials", program, registry);
            return null;
        }

        var startInfo = new ProcessStartInfo(path, "get")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(startInfo)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);

        string output;
        try
        {
            // Docker passes Docker Hub under its legacy URL, which is the key helpers store it under.
            await process.StandardInput.WriteAsync(RegistryKey.Normalize(registry) == "docker.io" ? "https://index.docker.io/v1/" : registry).ConfigureAwait(false);
            process.StandardInput.Close();
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            output = await process.StandardOutput.ReadToEndAsync(timeout.Token).ConfigureAwait(false);
            await error.ConfigureAwait(false);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            logger.LogWarning("credential helper {Program} did not finish within {Seconds} s; continuing without its credentials for {Registry}", program, (int)Timeout.TotalSeconds, registry);
            return null;
        }

        if (process.ExitCode != 0)
        {
            // The output is not logged: a helper may print part of a secret, or what it read on standard
            // input, in its error text.
            if (output.Contains(NotFoundMessage, StringComparison.Ordinal))
            {
                logger.LogDebug("credential helper {Program} has no credentials for {Registry}", program, registry);
            }
            else
            {
                logger.LogWarning(
                    "credential helper {Program} failed for {Registry} with exit code {ExitCode}; continuing without its credentials. Its output is not shown because it may contain secrets: run `echo {Registry} | {Program} get` to see it",
                    program, registry, process.ExitCode, registry, program);
            }

            return null;
        }

        return Parse(output, program, registry, logger);
    }

    private static RegistryCredentials? Parse(string output, string program, string registry, ILogger logger)
    {
        try
        {
            using var document = JsonDocument.Parse(output);
            var root = document.RootElement;
            string? user = root.TryGetProperty("Username", out var u) ? u.GetString() : null;
            string? secret = root.TryGetProperty("Secret", out var s) ? s.GetString() : null;
            if (string.IsNullOrEmpty(user) || secret is null)
            {
                logger.LogWarning("credential helper {Program} returned no user name for {Registry}; continuing without its credentials", program, registry);
                return null;
            }

            // A user name of "<token>" marks the secret as an identity token, which RegistryAuthenticator
            // exchanges at the token service instead of sending it as a password.
            return new RegistryCredentials(user, secret) { Source = "credential helper " + program };
        }
        catch (JsonException)
        {
            logger.LogWarning("credential helper {Program} wrote output that is not JSON for {Registry}; continuing without its credentials", program, registry);
            return null;
        }
    }

    private static string? FindOnPath(string program, UserEnvironment environment)
    {
        foreach (string folder in (environment.GetVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = System.IO.Path.Combine(folder, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
