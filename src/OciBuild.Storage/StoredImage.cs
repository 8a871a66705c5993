using OciBuild.Core;

namespace OciBuild.Storage;

/// <summary>
/// An image in the local store: its manifest (or index), its ID (the config digest) and the names that
/// point at it. For an index, the ID, creation time and size are those of <see cref="PlatformManifest"/>.
/// </summary>
public sealed record StoredImage(
    Descriptor Manifest,
    Digest Id,
    IReadOnlyList<string> Names,
    DateTimeOffset? Created,
    long Size)
{
    /// <summary>
    /// The image manifest that working containers use: <see cref="Manifest"/> itself, or the index entry
    /// for this machine's platform (else the first entry) when <see cref="Manifest"/> is an index.
    /// </summary>
    public Descriptor PlatformManifest { get; init; } = Manifest;
}
