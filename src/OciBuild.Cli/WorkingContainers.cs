using System.Security.Cryptography;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Layers;
using OciBuild.Storage;

namespace OciBuild.Cli;

/// <summary>Creates working containers: a record, the image config and a rootfs made from the image's layers.</summary>
internal static class WorkingContainers
{
    public const string ConfigFileName = "image-config.json";

    /// <summary>
    /// Creates a container from <paramref name="image"/>, or an empty one when it is null (<c>from scratch</c>).
    /// As root, each layer is unpacked once into the store's layer cache and the rootfs is an overlay
    /// over the cached layers, or a copy of them where overlayfs cannot be mounted. Other users get the
    /// layers extracted straight into the rootfs. <paramref name="requiredRootfs"/>, when set, forces a
    /// copy or raises OCIB5110 where an overlay cannot be made.
    /// </summary>
    public static async Task<ContainerRecord> CreateAsync(
        LocalImageStore store, StoredImage? image, string imageName, string? requestedName, RootfsKind? requiredRootfs, CancellationToken cancellationToken)
    {
        ImageManifest? manifest = null;
        byte[] configBytes;
        if (image is null)
        {
            var platform = Platform.Current();
            configBytes = OciJson.Serialize(new ImageConfig { Architecture = platform.Architecture, Os = platform.Os, Variant = platform.Variant });
        }
        else
        {
            manifest = await store.ReadManifestAsync(image.PlatformManifest.Digest, cancellationToken).ConfigureAwait(false);
            configBytes = await store.Blobs.ReadAllAsync(manifest.Config.Digest, cancellationToken).ConfigureAwait(false);
        }

        var config = OciJson.Deserialize<ImageConfig>(configBytes, $"config of {imageName}");
        var layers = manifest?.Layers ?? [];
        if (config.RootFs.DiffIds.Count != layers.Count)
        {
            throw new OciException(ErrorCodes.InvalidConfig, $"image {imageName} lists {layers.Count} layers but {config.RootFs.DiffIds.Count} diff IDs");
        }

        // The lock also keeps a concurrent rmi from collecting the blobs and cached layers used here.
        using var storeLock = await store.LockAsync(cancellationToken).ConfigureAwait(false);
        string baseName = ImageReference.TryParse(imageName, out var reference) && reference is not null ? reference.ShortName : imageName;
        string name = requestedName ?? store.NewContainerName(baseName);
        if (store.ListContainers().Any(c => c.Name == name))
        {
            throw new OciException(ErrorCodes.InvalidArgument, $"a working container named \"{name}\" already exists; pick another --name or remove it with `ocibuild rm {name}`");
        }

        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        string directory = store.GetContainerDirectory(id);
        try
        {
            RootfsKind kind = RootfsKind.Copy;
            IReadOnlyList<Digest> cachedLayers = [];
            if (LayerCache.IsUsable)
            {
                var layerDirectories = new List<string>();
                for (int i = 0; i < layers.Count; i++)
                {
                    var layer = layers[i];
                    string layerName = $"{i + 1} of {imageName} ({layer.Digest})";
                    layerDirectories.Add(await store.Layers.EnsureAsync(layer, config.RootFs.DiffIds[i], () => store.Blobs.Open(layer.Digest, layer.Size), layerName, cancellationToken).ConfigureAwait(false));
                }

                kind = ContainerRootfs.Create(store, id, layerDirectories, requiredRootfs);
                cachedLayers = config.RootFs.DiffIds.ToList();
            }
            else if (requiredRootfs == RootfsKind.Overlay)
            {
                throw ContainerRootfs.OverlayUnavailable(store.GetContainerRootfs(id), "only root can mount overlayfs");
            }
            else
            {
                await ExtractLayersAsync(store, layers, config, imageName, store.GetContainerRootfs(id), cancellationToken).ConfigureAwait(false);
            }

            await File.WriteAllBytesAsync(Path.Combine(directory, ConfigFileName), configBytes, cancellationToken).ConfigureAwait(false);
            var record = new ContainerRecord
            {
                Id = id,
                Name = name,
                ImageName = imageName,
                ImageId = manifest?.Config.Digest,
                ManifestDigest = image?.PlatformManifest.Digest,
                Created = DateTimeOffset.UtcNow,
                RootfsKind = kind,
                Layers = cachedLayers,
            };
            store.AddContainer(record);
            return record;
        }
        catch (IOException e) when (StorageFullException.IsStorageFull(e))
        {
            FileTree.Delete(directory);
            throw new StorageFullException($"the rootfs of container {name}", $"the local store {store.Root}", e);
        }
        catch
        {
            FileTree.Delete(directory);
            throw;
        }
    }

    /// <summary>Unpacks the layers one on top of the other into <paramref name="rootfs"/>, checking each diff ID.</summary>
    public static async Task ExtractLayersAsync(LocalImageStore store, IReadOnlyList<Descriptor> layers, ImageConfig config, string imageName, string rootfs, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(rootfs);
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            string layerName = $"{i + 1} of {imageName} ({layer.Digest})";
            await using var blob = store.Blobs.Open(layer.Digest, layer.Size);
            var diffId = await LayerExtractor.ExtractAsync(blob, layer.MediaType, rootfs, layerName, cancellationToken).ConfigureAwait(false);
            if (diffId != config.RootFs.DiffIds[i])
            {
                throw new DigestMismatchException($"unpacking layer {layerName}", config.RootFs.DiffIds[i], diffId);
            }
        }
    }

    /// <summary>Reads the container's pending image config: the image's, with the changes <c>config</c> made.</summary>
    public static async Task<ImageConfig> ReadConfigAsync(LocalImageStore store, ContainerRecord container, CancellationToken cancellationToken)
    {
        byte[] bytes = await File.ReadAllBytesAsync(Path.Combine(store.GetContainerDirectory(container.Id), ConfigFileName), cancellationToken).ConfigureAwait(false);
        return OciJson.Deserialize<ImageConfig>(bytes, $"image config of container {container.Name}");
    }

    /// <summary>Replaces the container's pending image config; call under the store lock.</summary>
    public static async Task WriteConfigAsync(LocalImageStore store, ContainerRecord container, ImageConfig config, CancellationToken cancellationToken)
    {
        string path = Path.Combine(store.GetContainerDirectory(container.Id), ConfigFileName);
        await File.WriteAllBytesAsync(path + ".tmp", OciJson.Serialize(config), cancellationToken).ConfigureAwait(false);
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
