using OciBuild.Core;

namespace OciBuild.Transport.Building;

/// <summary>
/// A base image's config and layers for one platform, as <see cref="ImageBuilder.ResolveBaseAsync"/> read
/// them. A scratch image has an empty config and no layers.
/// </summary>
/// <param name="Source">The base image, or null for scratch.</param>
/// <param name="ManifestDigest">The digest of the base image's manifest for the platform; null for scratch.</param>
public sealed record ResolvedBaseImage(IImageSource? Source, ImageConfig Config, IReadOnlyList<Descriptor> Layers, Digest? ManifestDigest);
