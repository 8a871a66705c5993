using System.Text.Json;
using System.Text.Json.Serialization;

namespace OciBuild.Core;

/// <summary>An image manifest: one config and an ordered list of layers (OCI or Docker v2 schema 2).</summary>
public sealed record ImageManifest
{
    [JsonPropertyName("schemaVersion")]
    public int SchemaVersion { get; init; } = 2;

    /// <summary>The manifest's own media type; optional in OCI manifests, so it may be null after parsing.</summary>
    [JsonPropertyName("mediaType")]
    public string? MediaType { get; init; }

    [JsonPropertyName("artifactType")]
    public string? ArtifactType { get; init; }

    [JsonPropertyName("config")]
    public required Descriptor Config { get; init; }

    /// <summary>The layers, bottom first. JSON null reads as empty, because Go writes a nil slice as null.</summary>
    [JsonPropertyName("layers")]
    public IReadOnlyList<Descriptor> Layers { get; init => field = value ?? []; } = [];

    [JsonPropertyName("subject")]
    public Descriptor? Subject { get; init; }

    [JsonPropertyName("annotations")]
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    /// <summary>Fields this version does not model. Settable, not init-only, for the reason given on <see cref="Descriptor.ExtensionData"/>.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}
