using System.Text.Json;
using System.Text.Json.Serialization;

namespace OciBuild.Transport.Archive;

/// <summary>
/// One image in the <c>manifest.json</c> of a <c>docker save</c> archive: the config file, the names
/// and the layer tar files, bottom first. Paths are relative to the archive's root.
/// </summary>
internal sealed record DockerArchiveEntry
{
    public const string ManifestFileName = "manifest.json";

    [JsonPropertyName("Config")]
    public required string Config { get; init; }

    /// <summary>Names such as <c>docker.io/library/app:1</c>; null or empty for an untagged image.</summary>
    [JsonPropertyName("RepoTags")]
    public IReadOnlyList<string>? RepoTags { get; init; }

    [JsonPropertyName("Layers")]
    public IReadOnlyList<string> Layers { get; init => field = value ?? []; } = [];

    /// <summary>Fields such as <c>LayerSources</c> that this version does not use, kept for a round trip.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; init; }
}
