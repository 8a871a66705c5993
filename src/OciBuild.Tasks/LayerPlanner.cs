using OciBuild.Layers;

namespace OciBuild.Tasks;

/// <summary>A group of publish files that goes into one layer.</summary>
public sealed record PlannedLayer(PublishFileKind Kind, IReadOnlyList<LayerFile> Files);

/// <summary>Splits the publish folder into layers by where each file comes from.</summary>
public static class LayerPlanner
{
    /// <summary>
    /// Returns one layer per non-empty <see cref="PublishFileKind"/>, in the enum's order, or the
    /// whole folder as one app layer when <paramref name="split"/> is false. Each layer contains the
    /// directories above its files, so that it unpacks on its own with the intended modes.
    /// </summary>
    /// <param name="kinds">The kind of each publish-relative path (with <c>/</c>); unlisted files are app files.</param>
    public static IReadOnlyList<PlannedLayer> Plan(IReadOnlyList<LayerFile> files, IReadOnlyDictionary<string, PublishFileKind> kinds, bool split)
    {
        if (!split)
        {
            return [new PlannedLayer(PublishFileKind.App, files)];
        }

        var groups = new SortedDictionary<PublishFileKind, List<LayerFile>>();
        var directories = files.Where(f => f.Kind == LayerFileKind.Directory).ToDictionary(f => f.RelativePath);
        foreach (var file in files.Where(f => f.Kind != LayerFileKind.Directory))
        {
            var kind = kinds.TryGetValue(file.RelativePath, out var known) ? known : PublishFileKind.App;
            if (!groups.TryGetValue(kind, out var group))
            {
                groups[kind] = group = [];
            }

            group.Add(file);
        }

        // An empty directory has no file to follow, so it goes with the app's files.
        var usedDirectories = new HashSet<string>(groups.Values.SelectMany(g => g).SelectMany(f => Ancestors(f.RelativePath)));
        foreach (var directory in directories.Values.Where(d => !usedDirectories.Contains(d.RelativePath)))
        {
            if (!groups.TryGetValue(PublishFileKind.App, out var group))
            {
                groups[PublishFileKind.App] = group = [];
            }

            group.Add(directory);
        }

        return groups
            .Select(pair => new PlannedLayer(pair.Key, WithDirectories(pair.Value, directories)))
            .ToList();
    }

    private static List<LayerFile> WithDirectories(List<LayerFile> files, Dictionary<string, LayerFile> directories)
    {
        var result = new Dictionary<string, LayerFile>();
        foreach (var file in files)
        {
            result[file.RelativePath] = file;
            foreach (string ancestor in Ancestors(file.RelativePath))
            {
                if (directories.TryGetValue(ancestor, out var directory))
                {
                    result[ancestor] = directory;
                }
            }
        }

        var sorted = result.Values.ToList();
        sorted.Sort((a, b) => string.CompareOrdinal(a.RelativePath, b.RelativePath));
        return sorted;
    }

    private static IEnumerable<string> Ancestors(string relativePath)
    {
        for (int slash = relativePath.LastIndexOf('/'); slash > 0; slash = relativePath.LastIndexOf('/', slash - 1))
        {
            yield return relativePath[..slash];
        }
    }
}
