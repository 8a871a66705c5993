using System.Text.Json;

namespace OciBuild.Transport.Tests.Support;

/// <summary>The parts of <c>skopeo inspect</c>'s output that the tests compare.</summary>
internal sealed record SkopeoImage(string Digest, IReadOnlyList<string> Layers);

/// <summary>Runs skopeo, the reference client the tests check the product against.</summary>
internal static class Skopeo
{
    /// <summary>Runs <c>skopeo inspect</c> with <paramref name="arguments"/> (options, then the image) and parses its JSON output.</summary>
    public static async Task<SkopeoImage> InspectAsync(params string[] arguments)
    {
        string output = await ExternalTool.RunCheckedAsync("skopeo", ["inspect", .. arguments]);
        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;
        string digest = root.GetProperty("Digest").GetString() ?? "";
        var layers = root.GetProperty("Layers").EnumerateArray().Select(l => l.GetString() ?? "").ToList();
        return new SkopeoImage(digest, layers);
    }
}
