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

    /// <summary>The image's config digest, or null for a container made <c>from scratch</c>.</summary>
    [JsonPropertyName("imageId")]
    public Digest? ImageId { get; init; }

    /// <summary>The image's manifest digest, or null for a container made <c>from scratch</c>.</summary>
    [JsonPropertyName("manifestDigest")]
    public Digest? ManifestDigest { get; init; }

    /// <summary>How the rootfs is made. Records written before overlay support have none, and are copies.</summary>
    [JsonPropertyName("rootfsKind")]
    public RootfsKind RootfsKind { get; init; } = RootfsKind.Copy;

    /// <summary>
    /// The diff IDs of the image's layers, bottom first, whose layer cache entries the rootfs uses or was
    /// copied from. Garbage collection keeps those entries while the container exists, even when
    /// <c>rmi --force</c> removed the image. Empty when the rootfs was extracted without the cache.
    /// </summary>
    [JsonPropertyName("layers")]
    public IReadOnlyList<Digest> Layers { get; init; } = [];

    [JsonPropertyName("created")]
    public required DateTimeOffset Created { get; init; }
}
