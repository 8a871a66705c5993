using System.Text.Json;

namespace OciBuild.IntegrationTests;

/// <summary>Reads images back from the test registry with skopeo, an implementation independent of ours.</summary>
public static class Skopeo
{
    public static async Task<JsonElement> ConfigAsync(string reference)
    {
        var result = await ProcessRunner.RunCheckedAsync("skopeo", ["inspect", "--config", "--tls-verify=false", $"docker://{reference}"]);
        return JsonDocument.Parse(result.StandardOutput).RootElement.Clone();
    }

    public static async Task<JsonElement> ManifestAsync(string reference)
    {
        var result = await ProcessRunner.RunCheckedAsync("skopeo", ["inspect", "--raw", "--tls-verify=false", $"docker://{reference}"]);
        return JsonDocument.Parse(result.StandardOutput).RootElement.Clone();
    }

    /// <summary>Returns the manifest digest, passing <paramref name="options"/> such as <c>--creds</c> to skopeo inspect.</summary>
    public static async Task<string> DigestAsync(string reference, params string[] options)
    {
        var result = await ProcessRunner.RunCheckedAsync("skopeo", ["inspect", "--tls-verify=false", .. options, $"docker://{reference}"]);
        using var summary = JsonDocument.Parse(result.StandardOutput);
        return summary.RootElement.GetProperty("Digest").GetString()!;
    }

    /// <summary>Returns the config's labels, or an empty map when it has none.</summary>
    public static Dictionary<string, string> Labels(JsonElement config)
        => config.GetProperty("config").TryGetProperty("Labels", out var labels) && labels.ValueKind == JsonValueKind.Object
            ? labels.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!)
            : [];

    public static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();
}
