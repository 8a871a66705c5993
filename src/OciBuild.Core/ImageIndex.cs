using System.Text.Json;
using System.Text.Json.Serialization;

namespace OciBuild.Core;

/// <summary>An image index (or Docker manifest list): manifests for several platforms.</summary>
public sealed record ImageIndex
{
    [JsonPropertyName("schemaVersion")]
    public int SchemaVersion { get; init; } = 2;

    [JsonPropertyName("mediaType")]
    public string? MediaType { get; init; }

    [JsonPropertyName("artifactType")]
    public string? ArtifactType { get; init; }

    [JsonPropertyName("manifests")]
    public IReadOnlyList<Descriptor> Manifests { get; init; } = [];

    [JsonPropertyName("subject")]
    public Descriptor? Subject { get; init; }

    [JsonPropertyName("annotations")]
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; init; }

    /// <summary>
    /// Returns the manifest descriptor for <paramref name="platform"/>: an exact match on os,
    /// architecture and variant first, then one that only lacks a variant.
    /// </summary>
    public Descriptor? FindManifest(Platform platform)
    {
        var candidates = Manifests
            .Where(m => m.Platform is not null
                        && m.Platform.Os == platform.Os
                        && m.Platform.Architecture == platform.Architecture)
            .ToList();
        return candidates.FirstOrDefault(m => m.Platform!.Variant == platform.Variant)
               ?? candidates.FirstOrDefault(m => m.Platform!.Variant is null || platform.Variant is null);
    }
}
