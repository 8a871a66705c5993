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

    /// <summary>The manifests, one per platform or artifact. JSON null reads as empty, because Go writes a nil slice as null.</summary>
    [JsonPropertyName("manifests")]
    public IReadOnlyList<Descriptor> Manifests { get; init => field = value ?? []; } = [];

    [JsonPropertyName("subject")]
    public Descriptor? Subject { get; init; }

    [JsonPropertyName("annotations")]
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    /// <summary>Fields this version does not model. Settable, not init-only, for the reason given on <see cref="Descriptor.ExtensionData"/>.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }

    /// <summary>
    /// Returns the manifest descriptor for <paramref name="platform"/>: the first entry with the same os,
    /// architecture and variant, else the first with the same os and architecture where the entry or the
    /// request has no variant. Returns null when none matches. os.version and os.features are not compared.
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
