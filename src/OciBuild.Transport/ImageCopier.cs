using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Transport;

/// <summary>
/// Copies one image from any source to any destination: a blob the destination already has is
/// skipped, one that lives in another repository of the destination's registry is mounted, and only
/// the rest is streamed. Blobs, the config among them, go in parallel, and the manifest only after
/// every blob is in place, so a reader never sees a manifest with missing blobs.
/// </summary>
public sealed partial class ImageCopier
{
    private const int MaxParallelBlobs = 4;
    internal const int MaxBlobAttempts = 3;
    private readonly ILogger _logger;

    public ImageCopier(ILogger? logger = null)
    {
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Receives the byte count of each streamed blob as the source is read. Skipped and mounted blobs report nothing.</summary>
    public IProgress<BlobProgress>? Progress { get; init; }

    /// <summary>Copies the image and tags it with every entry of <paramref name="tags"/>.</summary>
    /// <param name="platform">The platform to pick when the source is an index; null means this machine's.</param>
    public async Task<CopyResult> CopyAsync(IImageSource source, IImageDestination destination, IReadOnlyList<string> tags, Platform? platform, CancellationToken cancellationToken)
    {
        if (tags.Count == 0)
        {
            throw new ArgumentException("at least one tag is required", nameof(tags));
        }

        var manifestContent = await ResolveManifestAsync(source, platform ?? Platform.Current(), cancellationToken).ConfigureAwait(false);
        var manifest = OciJson.Deserialize<ImageManifest>(manifestContent.Bytes, $"manifest of {source.Description}");

        // Whether a tag names the manifest already does not depend on the blobs, so these checks run beside
        // the blob copies and take their round trips off the critical path.
        var tagged = tags.Select(tag => destination.HasManifestAsync(manifestContent, tag, cancellationToken)).ToList();
        try
        {
            await CopyBlobsAsync(source, destination, manifest, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The checks end before the copy fails, so that none of its work outlives it. Their own errors no longer matter.
            await ((Task)Task.WhenAll(tagged)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }

        for (int i = 0; i < tags.Count; i++)
        {
            await PutManifestUnlessTaggedAsync(destination, manifestContent, tags[i], await tagged[i].ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }

        long size = manifest.Config.Size + manifest.Layers.Sum(l => l.Size);
        return new CopyResult(manifestContent.Digest, manifestContent.MediaType, manifest.Config.Digest, size);
    }

    /// <summary>Writes <paramref name="content"/> under <paramref name="tag"/>, unless <paramref name="tagged"/> is true because the tag names it already.</summary>
    private async Task PutManifestUnlessTaggedAsync(IImageDestination destination, ManifestContent content, string tag, bool tagged, CancellationToken cancellationToken)
    {
        if (tagged)
        {
            _logger.LogInformation("manifest {Digest} is already tagged {Destination}:{Tag}", content.Digest, destination.Description, tag);
            return;
        }

        await destination.PutManifestAsync(content, tag, cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("wrote manifest {Digest} to {Destination}:{Tag}", content.Digest, destination.Description, tag);
    }

    /// <summary>Copies the config and the layers in parallel, at most <see cref="MaxParallelBlobs"/> at a time.</summary>
    private async Task CopyBlobsAsync(IImageSource source, IImageDestination destination, ImageManifest manifest, CancellationToken cancellationToken)
    {
        using var throttle = new SemaphoreSlim(MaxParallelBlobs);
        var copies = manifest.Layers.Prepend(manifest.Config).Select(async blob =>
        {
            await throttle.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await CopyBlobAsync(source, destination, blob, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                throttle.Release();
            }
        });
        await Task.WhenAll(copies).ConfigureAwait(false);
    }

    /// <summary>Returns the image manifest for <paramref name="platform"/>, going through an index when the source has one.</summary>
    public static async Task<ManifestContent> ResolveManifestAsync(IImageSource source, Platform platform, CancellationToken cancellationToken)
    {
        var top = await source.GetManifestAsync(null, cancellationToken).ConfigureAwait(false);
        if (!top.IsIndex)
        {
            return top;
        }

        var index = OciJson.Deserialize<ImageIndex>(top.Bytes, $"index of {source.Description}");
        var entry = index.FindManifest(platform);
        if (entry is null)
        {
            string available = string.Join(", ", index.Manifests.Select(m => m.Platform?.ToString() ?? "unknown"));
            throw new NotFoundException(ErrorCodes.PlatformNotFound, $"{source.Description} has no image for {platform}; it has: {available}");
        }

        var manifest = await source.GetManifestAsync(entry.Digest, cancellationToken).ConfigureAwait(false);
        if (manifest.Digest != entry.Digest)
        {
            throw new DigestMismatchException($"manifest for {platform} in {source.Description}", entry.Digest, manifest.Digest);
        }

        return manifest;
    }

    private async Task CopyBlobAsync(IImageSource source, IImageDestination destination, Descriptor blob, CancellationToken cancellationToken)
    {
        if (await destination.HasBlobAsync(blob, cancellationToken).ConfigureAwait(false))
        {
            _logger.LogInformation("blob {Digest} already exists in {Destination}", blob.Digest, destination.Description);
            return;
        }

        var location = source.GetBlobLocation(blob);
        if (location is not null && await destination.TryMountBlobAsync(blob, location, cancellationToken).ConfigureAwait(false))
        {
            _logger.LogInformation("mounted blob {Digest} from {Source}", blob.Digest, location.Name);
            return;
        }

        // A blob upload sends its body once and is not retried request by request, so a transient registry
        // failure starts the whole blob again from a freshly opened source.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await using var opened = await source.OpenBlobAsync(blob, cancellationToken).ConfigureAwait(false);
                Stream content = Progress is null ? opened : new ProgressStream(opened, blob, Progress);
                await destination.PutBlobAsync(blob, content, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (OciException e) when (attempt < MaxBlobAttempts && Registry.RegistryException.IsTransient(e))
            {
                _logger.LogWarning("copying blob {Digest} to {Destination} failed ({Message}); starting it again (attempt {Attempt} of {MaxAttempts})", blob.Digest, destination.Description, e.Message, attempt + 1, MaxBlobAttempts);
                await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken).ConfigureAwait(false);
            }
        }

        _logger.LogInformation("copied blob {Digest} ({Size} bytes) to {Destination}", blob.Digest, blob.Size, destination.Description);
    }
}
