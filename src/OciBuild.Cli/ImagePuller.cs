using Microsoft.Extensions.Logging;
using OciBuild.Core.Errors;
using OciBuild.Storage;
using OciBuild.Transport;

namespace OciBuild.Cli;

/// <summary>How <c>from</c> and <c>pull</c> decide whether to contact the registry.</summary>
internal enum PullPolicy
{
    /// <summary>Use the local image when the store has it, else pull.</summary>
    Missing,

    /// <summary>Pull even when the local store has the image.</summary>
    Always,

    /// <summary>Use the local image and fail when the store lacks it, without contacting a registry.</summary>
    Never,

    /// <summary>Pull when the store lacks the image or the registry's manifest digest for the tag differs from the stored one.</summary>
    Newer,
}

/// <summary>Brings an image into the local store, under its full registry name.</summary>
internal static class ImagePuller
{
    public static async Task<StoredImage> PullAsync(CliSession session, ImageLocation location, PullPolicy policy, CancellationToken cancellationToken)
    {
        if (policy != PullPolicy.Always)
        {
            // A docker:// name is looked up by its full reference, so that only that registry's copy counts.
            string storedText = location.Transport == TransportKind.Registry ? location.Reference.ToString() : location.Text;
            var stored = await session.Store.FindImageAsync(storedText, cancellationToken).ConfigureAwait(false);
            if (stored is not null && (policy != PullPolicy.Newer || location.Transport == TransportKind.LocalStore
                                       || !await IsNewerInRegistryAsync(session, location, stored, cancellationToken).ConfigureAwait(false)))
            {
                return stored;
            }
        }

        if (location.Transport == TransportKind.LocalStore || policy == PullPolicy.Never)
        {
            throw new NotFoundException(ErrorCodes.ImageNotFound, $"image {location.Text} not found in the local store at {session.Store.Root}");
        }

        var reference = location.Reference;
        var source = await session.Transport.OpenSourceAsync(location with { Transport = TransportKind.Registry }, cancellationToken).ConfigureAwait(false);
        var destination = session.Transport.OpenDestination(new ImageLocation(TransportKind.LocalStore, reference, reference.Name));
        session.Logger.LogInformation("pulling {Reference}", reference);

        using (await session.Store.LockAsync(cancellationToken).ConfigureAwait(false))
        {
            await new ImageCopier(session.Logger).CopyAsync(source, destination, [reference.TagOrDigest], platform: null, cancellationToken).ConfigureAwait(false);
        }

        string storedName = reference.Tag is null ? $"{reference.Name}@{reference.Digest}" : $"{reference.Name}:{reference.Tag}";
        return await session.Store.FindImageAsync(storedName, cancellationToken).ConfigureAwait(false)
               ?? throw new OciException(ErrorCodes.StoreError, $"pulled {reference} but the local store does not list it as {storedName}");
    }

    /// <summary>
    /// Tells whether the registry's manifest for the reference differs from the stored image's. The stored
    /// digest is the platform manifest's, so an index in the registry is resolved to this platform first.
    /// </summary>
    private static async Task<bool> IsNewerInRegistryAsync(CliSession session, ImageLocation location, StoredImage stored, CancellationToken cancellationToken)
    {
        var source = await session.Transport.OpenSourceAsync(location with { Transport = TransportKind.Registry }, cancellationToken).ConfigureAwait(false);
        var remote = await ImageCopier.ResolveManifestAsync(source, Core.Platform.Current(), cancellationToken).ConfigureAwait(false);
        bool newer = remote.Digest != stored.Manifest.Digest;
        session.Logger.LogDebug("registry manifest {Remote}, stored {Stored}: {Decision}", remote.Digest, stored.Manifest.Digest, newer ? "pulling" : "up to date");
        return newer;
    }
}
