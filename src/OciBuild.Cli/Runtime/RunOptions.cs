namespace OciBuild.Cli.Runtime;

/// <summary>
/// Settings of one container run that override or add to the image configuration. Every property
/// is optional, and the defaults reproduce the image's own Entrypoint, Cmd, Env, WorkingDir and User.
/// </summary>
public sealed record RunOptions
{
    /// <summary>
    /// Command and arguments to run in place of the image's Entrypoint and Cmd, or null to run
    /// the image's Entrypoint followed by its Cmd.
    /// </summary>
    public IReadOnlyList<string>? Args { get; init; }

    /// <summary>
    /// Environment variables as <c>NAME=value</c>, applied after the image's Env. A name that the
    /// image already sets gets the new value; later entries win over earlier ones.
    /// </summary>
    public IReadOnlyList<string> Env { get; init; } = [];

    /// <summary>Absolute directory to start the process in, or null for the image's WorkingDir (<c>/</c> when unset).</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>
    /// User to run as, or null for the image's User (root when unset). Accepts <c>uid</c>,
    /// <c>uid:gid</c>, <c>name</c> or <c>name:group</c>; names are looked up in the rootfs's
    /// <c>/etc/passwd</c> and <c>/etc/group</c>.
    /// </summary>
    public string? User { get; init; }

    /// <summary>
    /// Hostname inside the container. <see cref="ContainerRunner"/> uses the container name when
    /// this is null; <see cref="RuntimeSpecBuilder"/> on its own then uses <c>localhost</c>.
    /// </summary>
    public string? Hostname { get; init; }

    public NetworkMode Network { get; init; } = NetworkMode.Private;

    /// <summary>Host paths to mount into the container, in order.</summary>
    public IReadOnlyList<BindMount> Mounts { get; init; } = [];

    /// <summary>
    /// Whether to give the process a pseudo-terminal. This needs a controlling terminal on the
    /// calling side: <see cref="ContainerRunner"/> rejects the option without one, and runc fails
    /// with "open /dev/tty".
    /// </summary>
    public bool Terminal { get; init; }
}
