using System.Text.Json.Serialization;
using OciBuild.Core;

namespace OciBuild.Storage;

/// <summary>A working container: a named rootfs made from an image, as buildah keeps them.</summary>
public sealed record ContainerRecord
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>The name the image was requested by, as the user gave it after normalization.</summary>
    [JsonPropertyName("image")]
    public required string ImageName { get; init; }

    [JsonPropertyName("imageId")]
    public required Digest ImageId { get; init; }

    [JsonPropertyName("manifestDigest")]
    public required Digest ManifestDigest { get; init; }

    [JsonPropertyName("created")]
    public required DateTimeOffset Created { get; init; }
}
