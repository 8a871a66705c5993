namespace OciBuild.Cli.Runtime;

/// <summary>The network a container's processes see.</summary>
public enum NetworkMode
{
    /// <summary>
    /// A new network namespace that contains only the loopback interface. This is the default
    /// because a build step then cannot reach services on the host or the network by accident.
    /// </summary>
    Private,

    /// <summary>
    /// A new network namespace that contains only the loopback interface, for a run that must
    /// have no network at all. Today it behaves like <see cref="Private"/>. The two are separate
    /// so that a private network can later gain an outbound interface while None stays isolated.
    /// </summary>
    None,

    /// <summary>
    /// The host's network namespace: the container uses the host's interfaces and ports, and gets a
    /// copy of the host's <c>/etc/resolv.conf</c>.
    /// </summary>
    Host,
}
