using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Storage;

public sealed partial class LocalImageStore
{
    /// <summary>
    /// Picks the stored name that <paramref name="text"/> means. A name with a registry must match exactly.
    /// A name without one matches the same repository under any registry: <c>localhost/</c> first, as
    /// buildah resolves short names, then docker.io, then the only other match. So <c>helloecho</c> finds
    /// <c>localhost/helloecho:latest</c> even when <c>docker.io/library/helloecho:latest</c> is stored too.
    /// Returns null when nothing matches or several other registries do.
    /// </summary>
    public static string? ResolveName(IEnumerable<string> storedNames, string text)
    {
        if (!ImageReference.TryParse(text, out var reference) || reference is null)
        {
            return null;
        }

        var names = storedNames.Distinct().ToList();
        string full = reference.ToString();
        if (ImageReference.NamesRegistry(text))
        {
            return names.Contains(full) ? full : null;
        }

        string typedPath = text.Split('@')[0];
        int colon = typedPath.LastIndexOf(':');
        if (colon > typedPath.LastIndexOf('/'))
        {
            typedPath = typedPath[..colon];
        }

        var candidates = names
            .Select(n => (Name: n, Reference: ImageReference.TryParse(n, out var r) ? r : null))
            .Where(c => c.Reference is not null
                        && (c.Reference.Repository == typedPath || c.Reference.Repository == "library/" + typedPath)
                        && c.Reference.TagOrDigest == reference.TagOrDigest)
            .ToList();
        string? local = candidates.FirstOrDefault(c => c.Reference!.Registry == LocalRegistry).Name;
        if (local is not null)
        {
            return local;
        }

        if (names.Contains(full))
        {
            return full;
        }

        return candidates.Count == 1 ? candidates[0].Name : null;
    }

    private ImageIndex ReadIndex()
    {
        if (!File.Exists(_indexPath))
        {
            return new ImageIndex { MediaType = MediaTypes.OciIndex };
        }

        byte[] bytes = File.ReadAllBytes(_indexPath);
        try
        {
            return OciJson.Deserialize<ImageIndex>(bytes, $"store index {_indexPath}");
        }
        catch (OciException e)
        {
            throw new OciException(ErrorCodes.StoreError, $"the local store's index is damaged: {e.Message}", e);
        }
    }

    private void WriteIndex(ImageIndex index)
    {
        string temporary = _indexPath + ".tmp";
        try
        {
            File.WriteAllBytes(temporary, OciJson.Serialize(index with { MediaType = MediaTypes.OciIndex }));
        }
        catch (IOException e) when (StorageFullException.IsStorageFull(e))
        {
            File.Delete(temporary);
            throw new StorageFullException("the image index", $"the local store {Root}", e);
        }

        File.Move(temporary, _indexPath, overwrite: true);
    }
}
