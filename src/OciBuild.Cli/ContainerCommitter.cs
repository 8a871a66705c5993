using Microsoft.Extensions.Logging;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Layers;
using OciBuild.Storage;
using OciBuild.Transport.Building;

namespace OciBuild.Cli;

/// <summary>An image built from a working container, and the temporary file that contains its new layer.</summary>
internal sealed record CommittedImage(BuiltImage Image, string? LayerPath)
{
    public void DeleteLayerFile()
    {
        if (LayerPath is not null)
        {
            File.Delete(LayerPath);
        }
    }
}

/// <summary>Builds the image that <c>commit</c> writes: the container's image, one layer of its changes, and its pending config.</summary>
internal static class ContainerCommitter
{
    public static async Task<CommittedImage> BuildAsync(LocalImageStore store, ContainerRecord container, ILogger logger, CancellationToken cancellationToken)
    {
        var config = await WorkingContainers.ReadConfigAsync(store, container, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<Descriptor> baseLayers = [];
        if (container.ManifestDigest is { } manifestDigest)
        {
            if (!store.Blobs.Contains(manifestDigest))
            {
                throw new NotFoundException(ErrorCodes.ImageNotFound, $"the image of container {container.Name} ({container.ImageName}) was removed from the local store, and a commit needs its layers; pull it again");
            }

            baseLayers = (await store.ReadManifestAsync(manifestDigest, cancellationToken).ConfigureAwait(false)).Layers;
        }

        var changes = await ListChangesAsync(store, container, config, baseLayers, cancellationToken).ConfigureAwait(false);
        foreach (string skipped in changes.Changes.Skipped)
        {
            logger.LogWarning("skipping /{Path}: a socket cannot be stored in a layer", skipped);
        }

        string? layerPath = null;
        var newLayers = new List<NewLayer>();
        try
        {
            if (changes.Changes.Files.Count > 0)
            {
                layerPath = store.NewTemporaryPath(".tar.gz");
                var (files, options) = PlanLayer(changes.Changes.Files);
                BuiltLayer layer;
                await using (var output = new FileStream(layerPath, FileMode.CreateNew, FileAccess.Write))
                {
                    layer = await LayerBuilder.BuildAsync(files, options, output, cancellationToken).ConfigureAwait(false);
                }

                logger.LogInformation("built layer {Digest} ({Size} bytes) from {Count} changed paths", layer.Digest, layer.Size, changes.Changes.Files.Count);
                newLayers.Add(new NewLayer(layer, layerPath, $"ocibuild commit of {container.Name}"));
            }

            var baseImage = new ContainerImageSource(store, container, baseLayers, config);
            var settings = new ImageSettings { CreatedBy = "ocibuild commit" };
            var image = await ImageBuilder.BuildAsync(baseImage, baseName: null, config.Platform, settings, newLayers, cancellationToken).ConfigureAwait(false);
            return new CommittedImage(image, layerPath);
        }
        catch
        {
            if (layerPath is not null)
            {
                File.Delete(layerPath);
            }

            throw;
        }
        finally
        {
            changes.Dispose();
        }
    }

    /// <summary>
    /// Lists the changes: from the overlay upper directory, or by comparing a copied rootfs with a fresh
    /// copy of the image, which lives in the store's temporary folder until <see cref="ListedChanges.Dispose"/>.
    /// </summary>
    private static async Task<ListedChanges> ListChangesAsync(LocalImageStore store, ContainerRecord container, ImageConfig config, IReadOnlyList<Descriptor> baseLayers, CancellationToken cancellationToken)
    {
        if (container.RootfsKind == RootfsKind.Overlay)
        {
            return new ListedChanges(ContainerChanges.FromUpperDirectory(ContainerRootfs.GetUpperDirectory(store, container.Id)), null);
        }

        string pristine = store.NewTemporaryPath(".rootfs");
        try
        {
            if (container.Layers.Count > 0)
            {
                LayerMerge.Apply(container.Layers.Select(store.Layers.GetPath), pristine);
            }
            else
            {
                // The pending config's diff IDs are the image's, because `config` never changes the layers.
                await WorkingContainers.ExtractLayersAsync(store, baseLayers, config, container.ImageName, pristine, cancellationToken).ConfigureAwait(false);
            }

            return new ListedChanges(ContainerChanges.Compare(pristine, store.GetContainerRootfs(container.Id)), pristine);
        }
        catch
        {
            FileTree.Delete(pristine);
            throw;
        }
    }

    /// <summary>
    /// Keeps each changed path's owner, mode and modification time from the rootfs. When
    /// <c>SOURCE_DATE_EPOCH</c> is set, every entry gets that time instead, so that the same changes give
    /// the same layer. Whiteouts, which have no file of their own, get that time or the time of the commit.
    /// </summary>
    private static (IReadOnlyList<LayerFile> Files, LayerOptions Options) PlanLayer(IReadOnlyList<LayerFile> changed)
    {
        string? epoch = Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH");
        if (long.TryParse(epoch, out long seconds) && seconds >= 0)
        {
            var epochTimed = changed.Select(f => f.Metadata is null ? f : f with { Metadata = f.Metadata with { ModificationTime = null } }).ToList();
            return (epochTimed, new LayerOptions { DestinationDirectory = "/", ModificationTime = DateTimeOffset.FromUnixTimeSeconds(seconds) });
        }

        return (changed, new LayerOptions { DestinationDirectory = "/", ModificationTime = DateTimeOffset.UtcNow });
    }

    private sealed record ListedChanges(ContainerChanges Changes, string? PristineRootfs) : IDisposable
    {
        public void Dispose()
        {
            if (PristineRootfs is not null)
            {
                FileTree.Delete(PristineRootfs);
            }
        }
    }
}
