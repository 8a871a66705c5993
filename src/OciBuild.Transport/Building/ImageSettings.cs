namespace OciBuild.Transport.Building;

/// <summary>
/// The settings a build puts on top of the base image's config. Null means "keep the base image's
/// value"; lists and dictionaries add to the base image's values, overriding by name.
/// </summary>
public sealed record ImageSettings
{
    /// <summary>The new Entrypoint. Setting it also clears the base image's Cmd, as a Dockerfile ENTRYPOINT does, unless <see cref="Cmd"/> is set too.</summary>
    public IReadOnlyList<string>? Entrypoint { get; init; }

    public IReadOnlyList<string>? Cmd { get; init; }

    public string? WorkingDirectory { get; init; }

    public string? User { get; init; }

    /// <summary>
    /// When <see cref="User"/> is null, run as the base image's <c>APP_UID</c> if it defines one, as the
    /// .NET SDK does: Microsoft's .NET images set it to a non-root user.
    /// </summary>
    public bool UseAppUidAsDefaultUser { get; init; }

    public IReadOnlyDictionary<string, string> EnvironmentVariables { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Annotations of the new manifest, beside the base image annotations that <see cref="ImageBuilder"/> adds.</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    /// <summary>Adds the label <c>org.opencontainers.image.base.name</c> with the base image reference, unless <see cref="Labels"/> sets it.</summary>
    public bool LabelBaseName { get; init; }

    /// <summary>Adds the label <c>org.opencontainers.image.base.digest</c> with the base manifest digest, unless <see cref="Labels"/> sets it.</summary>
    public bool LabelBaseDigest { get; init; }

    /// <summary>Ports as <c>8080/tcp</c> or <c>53/udp</c>; a bare number means TCP.</summary>
    public IReadOnlyList<string> ExposedPorts { get; init; } = [];

    /// <summary>The config's and history's creation time; pass SOURCE_DATE_EPOCH for reproducible image digests.</summary>
    public DateTimeOffset Created { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>The tool and version recorded in history entries.</summary>
    public string CreatedBy { get; init; } = "ocibuild";
}
