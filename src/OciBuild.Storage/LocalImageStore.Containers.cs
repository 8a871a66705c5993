using System.Runtime.Versioning;
using System.Text.Json;
using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Storage;

public sealed partial class LocalImageStore
{
    private string ContainersPath => Path.Combine(Root, "containers.json");

    public string GetContainerDirectory(string containerId) => Path.Combine(Root, "containers", containerId);

    public string GetContainerRootfs(string containerId) => Path.Combine(GetContainerDirectory(containerId), "rootfs");

    public IReadOnlyList<ContainerRecord> ListContainers()
    {
        if (!File.Exists(ContainersPath))
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize<List<ContainerRecord>>(File.ReadAllBytes(ContainersPath), OciJson.Options) ?? [];
        }
        catch (JsonException e)
        {
            throw new OciException(ErrorCodes.StoreError, $"the local store's container list {ContainersPath} is damaged: {e.Message}", e);
        }
    }

    /// <summary>Finds a container by name, by ID or by an ID prefix of at least three characters.</summary>
    public ContainerRecord FindContainer(string nameOrId)
    {
        var containers = ListContainers();
        var match = containers.FirstOrDefault(c => c.Name == nameOrId)
                    ?? containers.FirstOrDefault(c => c.Id == nameOrId);
        if (match is null && nameOrId.Length >= 3)
        {
            var prefixed = containers.Where(c => c.Id.StartsWith(nameOrId, StringComparison.Ordinal)).ToList();
            match = prefixed.Count == 1 ? prefixed[0] : null;
        }

        return match ?? throw new NotFoundException(ErrorCodes.ContainerNotFound, $"no working container named \"{nameOrId}\"; `ocibuild containers` lists them");
    }

    /// <summary>Returns <c>BASE-working-container</c>, or with the first free numeric suffix when that name is taken.</summary>
    public string NewContainerName(string baseName)
    {
        var taken = ListContainers().Select(c => c.Name).ToHashSet();
        string name = $"{baseName}-working-container";
        for (int suffix = 1; taken.Contains(name); suffix++)
        {
            name = $"{baseName}-working-container-{suffix}";
        }

        return name;
    }

    /// <summary>Adds a record; call under the store lock, after the container's folder is complete.</summary>
    public void AddContainer(ContainerRecord container)
    {
        var containers = ListContainers().ToList();
        if (containers.Any(c => c.Name == container.Name))
        {
            throw new OciException(ErrorCodes.InvalidArgument, $"a working container named \"{container.Name}\" already exists; pick another --name or remove it with `ocibuild rm {container.Name}`");
        }

        containers.Add(container);
        WriteContainers(containers);
    }

    /// <summary>
    /// Unmounts the rootfs, then removes the record and the folder after, so a crash in between leaves
    /// only an unlisted folder.
    /// </summary>
    [SupportedOSPlatform("linux")]
    public void RemoveContainer(ContainerRecord container)
    {
        ContainerRootfs.Unmount(this, container);
        WriteContainers(ListContainers().Where(c => c.Id != container.Id).ToList());
        FileTree.Delete(GetContainerDirectory(container.Id));
    }

    /// <summary>
    /// Deletes every blob that no stored image refers to, every layer cache entry that neither a stored
    /// image nor a working container uses, and what interrupted writes left. Call under the store lock.
    /// Returns the number of blobs deleted.
    /// </summary>
    public async Task<int> CollectGarbageAsync(CancellationToken cancellationToken)
    {
        var referenced = new HashSet<Digest>();
        var usedLayers = new HashSet<Digest>(ListContainers().SelectMany(c => c.Layers));
        foreach (var entry in ReadIndex().Manifests)
        {
            referenced.Add(entry.Digest);
            var imageManifests = MediaTypes.IsIndex(entry.MediaType)
                ? (await ReadIndexBlobAsync(entry.Digest, cancellationToken).ConfigureAwait(false)).Manifests
                : [entry];
            foreach (var imageManifest in imageManifests)
            {
                referenced.Add(imageManifest.Digest);
                var manifest = await ReadManifestAsync(imageManifest.Digest, cancellationToken).ConfigureAwait(false);
                referenced.Add(manifest.Config.Digest);
                referenced.UnionWith(manifest.Layers.Select(l => l.Digest));
                var config = await ReadConfigAsync(manifest.Config.Digest, cancellationToken).ConfigureAwait(false);
                usedLayers.UnionWith(config.RootFs.DiffIds);
            }
        }

        if (OperatingSystem.IsLinux())
        {
            foreach (var diffId in Layers.List().Where(d => !usedLayers.Contains(d)).ToList())
            {
                Layers.Delete(diffId);
            }

            Layers.DeleteTemporaryFolders();
        }

        int removed = 0;
        foreach (var digest in Blobs.List().Where(d => !referenced.Contains(d)).ToList())
        {
            Blobs.Delete(digest);
            removed++;
        }

        Blobs.DeleteTemporaryFiles();
        return removed;
    }

    private void WriteContainers(List<ContainerRecord> containers)
    {
        string temporary = ContainersPath + ".tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(containers, OciJson.Options));
        File.Move(temporary, ContainersPath, overwrite: true);
    }
}
