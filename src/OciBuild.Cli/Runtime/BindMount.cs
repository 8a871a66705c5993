namespace OciBuild.Cli.Runtime;

/// <summary>
/// A host file or directory made visible inside the container. Subdirectories that are mount points
/// on the host are included (<c>rbind</c>).
/// </summary>
/// <param name="Source">Path on the host. A relative path is taken from the current directory.</param>
/// <param name="Destination">Absolute path inside the container.</param>
/// <param name="ReadOnly">Whether the container may only read the mount.</param>
public sealed record BindMount(string Source, string Destination, bool ReadOnly = false);
