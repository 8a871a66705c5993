namespace OciBuild.Layers;

/// <summary>
/// The rootfs paths that the current layer wrote, and their ancestors. Whiteouts in a layer hide only
/// lower layers' files, so these paths survive a whiteout or opaque directory in the same layer.
/// </summary>
internal sealed class WrittenPaths
{
    private readonly HashSet<string> _paths = new(StringComparer.Ordinal);

    /// <summary>Records <paramref name="components"/> and every directory on the way to it.</summary>
    public void Add(IReadOnlyList<string> components)
    {
        for (int count = components.Count; count > 0; count--)
        {
            if (!_paths.Add(string.Join('/', components.Take(count))))
            {
                // The ancestors of a recorded path were recorded with it.
                return;
            }
        }
    }

    /// <summary>Returns true when this layer wrote the path or something below it.</summary>
    public bool Contains(IReadOnlyList<string> components) => _paths.Contains(string.Join('/', components));
}
