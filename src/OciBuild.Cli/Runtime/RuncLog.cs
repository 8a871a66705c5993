using System.Text.Json;
using System.Text.Json.Nodes;

namespace OciBuild.Cli.Runtime;

/// <summary>
/// The JSON log file that runc writes with <c>--log FILE --log-format json</c>. runc writes its own
/// errors there as well as to stderr. Reading them from the file leaves the container's stderr
/// untouched, because in the foreground runc hands its stderr to the container.
/// </summary>
internal static class RuncLog
{
    /// <summary>Returns a new path in the temporary directory for the log of <paramref name="containerId"/>.</summary>
    public static string CreatePath(string containerId) =>
        Path.Join(Path.GetTempPath(), $"ocibuild-runc-{containerId}-{Guid.NewGuid():N}.json");

    /// <summary>Returns the messages runc logged at level error or fatal, and any line that is not JSON.</summary>
    public static IReadOnlyList<string> ReadErrors(string logPath)
    {
        if (!File.Exists(logPath))
        {
            return [];
        }

        var errors = new List<string>();
        foreach (string line in File.ReadLines(logPath).Where(line => line.Length > 0))
        {
            try
            {
                if (JsonNode.Parse(line) is JsonObject entry
                    && entry["level"]?.GetValue<string>() is "error" or "fatal"
                    && entry["msg"]?.GetValue<string>() is { } message)
                {
                    // runc 1.1 starts each fatal message of `runc run` with this, which the caller's message already states.
                    const string prefix = "runc run failed: ";
                    errors.Add(message.StartsWith(prefix, StringComparison.Ordinal) ? message[prefix.Length..] : message);
                }
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                errors.Add(line);
            }
        }

        return errors;
    }
}
