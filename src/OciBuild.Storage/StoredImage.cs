using OciBuild.Core;

namespace OciBuild.Storage;

/// <summary>An image in the local store: its manifest, its ID (the config digest) and the names that point at it.</summary>
public sealed record StoredImage(
    Descriptor Manifest,
    Digest Id,
    IReadOnlyList<string> Names,
    DateTimeOffset? Created,
    long Size);
