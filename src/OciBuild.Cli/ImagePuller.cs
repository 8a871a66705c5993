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

    Always,

    Never,
}

/// <summary>Brings an image into the local store, under its full registry name.</summary>
internal static class ImagePuller
{
    public static async Task<StoredImage> PullAsync(CliSession session, ImageLocation location, PullPolicy policy, CancellationToken cancellationToken)
    {
        if (location.Transport != TransportKind.Registry && policy != PullPolicy.Always)
        {
            var stored = await session.Store.FindImageAsync(location.Text, cancellationToken).ConfigureAwait(false);
            if (stored is not null)
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
}
