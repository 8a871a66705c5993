using Microsoft.Extensions.Logging;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Storage;
using OciBuild.Transport;
using OciBuild.Transport.Archive;
using OciBuild.Transport.Configuration;

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
    /// <summary>
    /// Copies the image at <paramref name="location"/> into the local store. The pull policy applies to
    /// registry names only: an image from a file, folder or Docker engine is always copied. A name
    /// without a registry is looked up in the local store first, then pulled from the registries that
    /// <see cref="ShortNameCandidates"/> lists.
    /// </summary>
    public static async Task<StoredImage> PullAsync(CliSession session, ImageLocation location, PullPolicy policy, CancellationToken cancellationToken)
    {
        if (!IsRegistryName(location))
        {
            return await CopyIntoStoreAsync(session, location, cancellationToken).ConfigureAwait(false);
        }

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

        if (IsShortName(location))
        {
            return await PullShortNameAsync(session, location.Text, cancellationToken).ConfigureAwait(false);
        }

        return await CopyIntoStoreAsync(session, location with { Transport = TransportKind.Registry }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Tells whether <paramref name="location"/> is a name without a transport or a registry, such as <c>app:1</c>.</summary>
    public static bool IsShortName(ImageLocation location)
        => location.Transport == TransportKind.Unspecified && !ImageReference.NamesRegistry(location.Text);

    /// <summary>
    /// Pulls the first candidate of <paramref name="shortName"/> that a registry serves. With several
    /// candidates, each failure is logged and the next one tried, and one error lists them all at the end.
    /// </summary>
    private static async Task<StoredImage> PullShortNameAsync(CliSession session, string shortName, CancellationToken cancellationToken)
    {
        var configuration = session.RegistriesConfiguration;
        var candidates = ShortNameCandidates.Resolve(shortName, configuration);
        if (candidates.Alias is not null)
        {
            session.Logger.LogInformation("{ShortName} is an alias of {Reference} in registries.conf", shortName, candidates.References[0]);
        }

        var failures = new List<string>();
        foreach (var reference in candidates.References)
        {
            session.Logger.LogInformation("trying {Reference} for {ShortName}", reference, shortName);
            try
            {
                return await CopyIntoStoreAsync(session, new ImageLocation(TransportKind.Registry, reference, reference.ToString()), cancellationToken).ConfigureAwait(false);
            }
            catch (OciException e) when (candidates.References.Count > 1)
            {
                session.Logger.LogWarning("pulling {Reference} failed: {Message}", reference, e.Message);
                failures.Add($"{reference} ({e.Message})");
            }
        }

        string files = configuration.Files.Count == 0 ? "no registries.conf" : string.Join(", ", configuration.Files);
        throw new NotFoundException(
            ErrorCodes.ShortNameNotFound,
            $"image {shortName} was not found in any of the unqualified-search-registries of {files}: tried {string.Join("; ", failures)}. "
            + $"Use a fully qualified name such as REGISTRY/{shortName}, or fix the registry list");
    }

    private static bool IsRegistryName(ImageLocation location)
        => location.Transport is TransportKind.Unspecified or TransportKind.Registry or TransportKind.LocalStore;

    private static async Task<StoredImage> CopyIntoStoreAsync(CliSession session, ImageLocation location, CancellationToken cancellationToken)
    {
        var source = await session.Transport.OpenSourceAsync(location, cancellationToken).ConfigureAwait(false);
        try
        {
            var name = LocalName(location, source);
            var destination = session.Transport.OpenDestination(new ImageLocation(TransportKind.LocalStore, name, name.Name));
            session.Logger.LogInformation("pulling {Source} as {Name}", location, name);

            using (await session.Store.LockAsync(cancellationToken).ConfigureAwait(false))
            {
                await new ImageCopier(session.Logger) { Progress = ConsoleProgress.ForStandardError() }.CopyAsync(source, destination, [name.TagOrDigest], platform: null, cancellationToken).ConfigureAwait(false);
            }

            string storedName = name.Tag is null ? $"{name.Name}@{name.Digest}" : $"{name.Name}:{name.Tag}";
            return await session.Store.FindImageAsync(storedName, cancellationToken).ConfigureAwait(false)
                   ?? throw new OciException(ErrorCodes.StoreError, $"pulled {location} but the local store does not list it as {storedName}");
        }
        finally
        {
            (source as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// Returns the name a pulled image gets in the local store: the reference of a registry, archive or
    /// daemon name; the first name inside a docker-archive; for <c>oci:</c> and <c>oci-archive:</c>, a
    /// REF that reads as a name (<c>app:1</c> becomes <c>localhost/app:1</c>); otherwise
    /// <c>localhost/BASENAME</c>, with a REF without ':' or '/' as its tag.
    /// </summary>
    internal static ImageReference LocalName(ImageLocation location, IImageSource source)
    {
        if (location.HasReference)
        {
            return location.Reference;
        }

        if (source is DockerArchiveSource { RepoTags.Count: > 0 } archive && ImageReference.TryParse(archive.RepoTags[0], out var archived))
        {
            return archived;
        }

        string? layoutReference = location.LayoutReference;
        if (layoutReference is not null && layoutReference.IndexOfAny([':', '/']) >= 0 && ImageReference.TryParse(layoutReference, out _))
        {
            return ImageLocation.ParseLocalName(layoutReference);
        }

        string baseName = location.Path is null ? "image" : SanitizeName(Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(location.Path)));
        string tag = layoutReference ?? ImageReference.DefaultTag;
        return ImageReference.TryParse($"{Storage.LocalImageStore.LocalRegistry}/{baseName}:{tag}", out var named)
            ? named
            : ImageReference.Parse($"{Storage.LocalImageStore.LocalRegistry}/{baseName}:{ImageReference.DefaultTag}");
    }

    /// <summary>Turns a file or folder name into a repository name: lowercase, with runs of other characters as '-'.</summary>
    private static string SanitizeName(string fileName)
    {
        var characters = fileName.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        string name = string.Join('-', new string(characters).Split('-', StringSplitOptions.RemoveEmptyEntries));
        return name.Length == 0 ? "image" : name;
    }

    /// <summary>
    /// Tells whether the registry's manifest for the reference differs from the stored image's. The stored
    /// digest is the platform manifest's, so an index in the registry is resolved to this platform first.
    /// </summary>
    private static async Task<bool> IsNewerInRegistryAsync(CliSession session, ImageLocation location, StoredImage stored, CancellationToken cancellationToken)
    {
        // A short name is checked against the registry the stored image came from. An image that only
        // this store has (named localhost/...) cannot be newer anywhere else.
        if (IsShortName(location))
        {
            var pulledFrom = stored.Names.Select(n => ImageReference.TryParse(n, out var r) ? r : null)
                .FirstOrDefault(r => r is not null && r.Registry != Storage.LocalImageStore.LocalRegistry);
            if (pulledFrom is null)
            {
                return false;
            }

            location = new ImageLocation(TransportKind.Registry, pulledFrom, pulledFrom.ToString());
        }

        var source = await session.Transport.OpenSourceAsync(location with { Transport = TransportKind.Registry }, cancellationToken).ConfigureAwait(false);
        var remote = await ImageCopier.ResolveManifestAsync(source, Core.Platform.Current(), cancellationToken).ConfigureAwait(false);
        bool newer = remote.Digest != stored.Manifest.Digest;
        session.Logger.LogDebug("registry manifest {Remote}, stored {Stored}: {Decision}", remote.Digest, stored.Manifest.Digest, newer ? "pulling" : "up to date");
        return newer;
    }
}
