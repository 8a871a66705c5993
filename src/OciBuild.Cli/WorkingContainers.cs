using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Layers;
using OciBuild.Storage;

namespace OciBuild.Cli;

/// <summary>Creates working containers: a record, the image config and a rootfs unpacked from the image's layers.</summary>
internal static class WorkingContainers
{
    public const string ConfigFileName = "image-config.json";

    public static async Task<ContainerRecord> CreateAsync(LocalImageStore store, StoredImage image, string imageName, string? requestedName, CancellationToken cancellationToken)
    {
        var manifest = await store.ReadManifestAsync(image.Manifest.Digest, cancellationToken).ConfigureAwait(false);
        byte[] configBytes = await store.Blobs.ReadAllAsync(manifest.Config.Digest, cancellationToken).ConfigureAwait(false);
        var config = OciJson.Deserialize<ImageConfig>(configBytes, $"config of {imageName}");
        if (config.RootFs.DiffIds.Count != manifest.Layers.Count)
        {
            throw new OciException(ErrorCodes.InvalidConfig, $"image {imageName} lists {manifest.Layers.Count} layers but {config.RootFs.DiffIds.Count} diff IDs");
        }

        using var storeLock = await store.LockAsync(cancellationToken).ConfigureAwait(false);
        string baseName = ImageReference.TryParse(imageName, out var reference) && reference is not null ? reference.ShortName : "scratch";
        string name = requestedName ?? store.NewContainerName(baseName);
        string id = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        string directory = store.GetContainerDirectory(id);
        string rootfs = store.GetContainerRootfs(id);
        try
        {
            Directory.CreateDirectory(rootfs);
            for (int i = 0; i < manifest.Layers.Count; i++)
            {
                var layer = manifest.Layers[i];
                string layerName = $"layer {i + 1} of {imageName} ({layer.Digest})";
                await using var blob = store.Blobs.Open(layer.Digest, layer.Size);
                var diffId = await LayerExtractor.ExtractAsync(blob, layer.MediaType, rootfs, layerName, cancellationToken).ConfigureAwait(false);
                if (diffId != config.RootFs.DiffIds[i])
                {
                    throw new DigestMismatchException($"unpacking {layerName}", config.RootFs.DiffIds[i], diffId);
                }
            }

            await File.WriteAllBytesAsync(Path.Combine(directory, ConfigFileName), configBytes, cancellationToken).ConfigureAwait(false);
            var record = new ContainerRecord
            {
                Id = id,
                Name = name,
                ImageName = imageName,
                ImageId = manifest.Config.Digest,
                ManifestDigest = image.Manifest.Digest,
                Created = DateTimeOffset.UtcNow,
            };
            store.AddContainer(record);
            return record;
        }
        catch
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            throw;
        }
    }

    public static async Task<ImageConfig> ReadConfigAsync(LocalImageStore store, ContainerRecord container, CancellationToken cancellationToken)
    {
        byte[] bytes = await File.ReadAllBytesAsync(Path.Combine(store.GetContainerDirectory(container.Id), ConfigFileName), cancellationToken).ConfigureAwait(false);
        return OciJson.Deserialize<ImageConfig>(bytes, $"image config of container {container.Name}");
    }
}
