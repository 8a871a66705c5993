namespace OciBuild.Layers;

/// <summary>
/// Owner, mode and time that one <see cref="LayerFile"/> keeps in the layer instead of the defaults
/// that <see cref="LayerBuilder"/> gives every entry. A null value keeps that field's default.
/// </summary>
/// <remarks>
/// Publishing leaves this unset, so that layers do not depend on the build machine's files. A commit
/// of a working container sets it, because there the owners and modes are part of the image.
/// </remarks>
public sealed record LayerFileMetadata
{
    /// <summary>Owner user ID; null for <see cref="LayerOptions.UserId"/>.</summary>
    public int? UserId { get; init; }

    /// <summary>Owner group ID; null for <see cref="LayerOptions.GroupId"/>.</summary>
    public int? GroupId { get; init; }

    /// <summary>
    /// Permission bits including setuid, setgid and sticky (at most <c>07777</c>); null for the builder's
    /// 0755 or 0644. Ignored for symlinks, which are always stored with 0777.
    /// </summary>
    public UnixFileMode? Mode { get; init; }

    /// <summary>Modification time, whole seconds; null for <see cref="LayerOptions.ModificationTime"/>.</summary>
    public DateTimeOffset? ModificationTime { get; init; }
}
