using System.Text.Json;
using System.Text.Json.Serialization;

namespace OciBuild.Core;

/// <summary>A reference to content by media type, digest and size (OCI image spec, descriptor.md).</summary>
public sealed record Descriptor
{
    [JsonPropertyName("mediaType")]
    public required string MediaType { get; init; }

    [JsonPropertyName("digest")]
    public required Digest Digest { get; init; }

    [JsonPropertyName("size")]
    public required long Size { get; init; }

    [JsonPropertyName("urls")]
    public IReadOnlyList<string>? Urls { get; init; }

    [JsonPropertyName("annotations")]
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    [JsonPropertyName("platform")]
    public Platform? Platform { get; init; }

    [JsonPropertyName("artifactType")]
    public string? ArtifactType { get; init; }

    /// <summary>
    /// Fields this version does not model, kept so that a round trip loses nothing. The setter is not
    /// init-only because source-generated JSON metadata binds init-only properties like constructor
    /// parameters, which an extension data property cannot be.
    /// </summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}
