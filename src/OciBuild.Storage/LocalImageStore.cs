using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Storage;

/// <summary>
/// The local image store: a valid OCI image layout (<c>oci-layout</c>, <c>index.json</c>, <c>blobs/</c>)
/// whose index entries carry each image's name in the <c>org.opencontainers.image.ref.name</c>
/// annotation, plus working containers beside it. Changes happen under <see cref="LockAsync"/>; the
/// index is replaced by rename, so readers without the lock always see a whole file.
/// </summary>
public sealed partial class LocalImageStore
{
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    /// <summary>The registry name given to images that were built locally and never pushed, as buildah does.</summary>
    public const string LocalRegistry = "localhost";

    private readonly string _indexPath;

    public LocalImageStore(string root)
    {
        Root = Path.GetFullPath(root);
        Blobs = new BlobStore(Root);
        Layers = new LayerCache(Root);
        _indexPath = Path.Combine(Root, "index.json");
    }

    public string Root { get; }

    public BlobStore Blobs { get; }

    /// <summary>Unpacked layers shared by working containers.</summary>
    public LayerCache Layers { get; }

    public static LocalImageStore OpenDefault() => new(StorePaths.DefaultRoot());

    /// <summary>Creates the store's folders and layout marker, explaining a permission problem.</summary>
    public void EnsureCreated()
    {
        try
        {
            Directory.CreateDirectory(Path.Combine(Root, "blobs", Digest.Sha256));
            Directory.CreateDirectory(Path.Combine(Root, "tmp"));
            string layoutPath = Path.Combine(Root, "oci-layout");
            if (!File.Exists(layoutPath))
            {
                File.WriteAllText(layoutPath, "{\"imageLayoutVersion\":\"1.0.0\"}");
            }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new OciException(ErrorCodes.StoreError, $"cannot create the local store at {Root}: {e.Message.TrimEnd('.')}; pick a writable folder with --root, OCIBUILD_STORAGE or OciLocalStore", e);
        }
    }

    /// <summary>Takes the store's exclusive lock; hold it while changing images, containers or blobs.</summary>
    public Task<StoreLock> LockAsync(CancellationToken cancellationToken)
    {
        EnsureCreated();
        return StoreLock.AcquireAsync(Path.Combine(Root, "storage.lock"), cancellationToken);
    }

    /// <summary>Returns a path for a file that will become a blob, on the same file system as the blobs.</summary>
    public string NewTemporaryPath(string suffix)
    {
        EnsureCreated();
        return Path.Combine(Root, "tmp", $"{Guid.NewGuid():N}{suffix}");
    }

    public async Task<IReadOnlyList<StoredImage>> ListImagesAsync(CancellationToken cancellationToken)
    {
        var index = ReadIndex();
        var images = new List<StoredImage>();
        foreach (var group in index.Manifests.GroupBy(m => m.Digest))
        {
            var manifestDescriptor = group.First();
            var names = group
                .Select(m => m.Annotations?.GetValueOrDefault(RefNameAnnotation))
                .OfType<string>()
                .ToList();
            images.Add(await DescribeAsync(manifestDescriptor, names, cancellationToken).ConfigureAwait(false));
        }

        return images.OrderByDescending(i => i.Created).ToList();
    }

    /// <summary>
    /// Finds an image by full name, short name (<c>helloecho:latest</c> finds
    /// <c>localhost/helloecho:latest</c>), image ID or manifest digest prefix. Returns null when none matches.
    /// </summary>
    public async Task<StoredImage?> FindImageAsync(string nameOrId, CancellationToken cancellationToken)
    {
        var images = await ListImagesAsync(cancellationToken).ConfigureAwait(false);
        var byId = images.Where(i => MatchesId(i, nameOrId)).ToList();
        if (byId.Count == 1)
        {
            return byId[0];
        }

        string? name = ResolveName(images.SelectMany(i => i.Names), nameOrId);
        return name is null ? null : images.First(i => i.Names.Contains(name));
    }

    /// <summary>Finds an image like <see cref="FindImageAsync"/>, raising a not-found error that tells how to list the store.</summary>
    public async Task<StoredImage> GetImageAsync(string nameOrId, CancellationToken cancellationToken)
        => await FindImageAsync(nameOrId, cancellationToken).ConfigureAwait(false)
           ?? throw new NotFoundException(ErrorCodes.ImageNotFound, $"image {nameOrId} not found in the local store at {Root}; run `ocibuild images` to list the stored images");

    /// <summary>
    /// Records <paramref name="manifest"/> under <paramref name="name"/>, moving the name off any other image.
    /// An image that loses its last name this way stays in the store without a name, as buildah keeps it,
    /// until <c>rmi --prune</c> removes it.
    /// </summary>
    public void SetName(Descriptor manifest, string name)
    {
        var index = ReadIndex();
        var manifests = new List<Descriptor>();
        foreach (var entry in index.Manifests)
        {
            string? entryName = entry.Annotations?.GetValueOrDefault(RefNameAnnotation);
            if (entryName is null && entry.Digest == manifest.Digest)
            {
                continue;
            }

            if (entryName == name)
            {
                bool keepsOtherName = index.Manifests.Any(m => m.Digest == entry.Digest
                                                               && m.Annotations?.GetValueOrDefault(RefNameAnnotation) is { } other
                                                               && other != name);
                if (entry.Digest != manifest.Digest && !keepsOtherName)
                {
                    manifests.Add(entry with { Annotations = null });
                }

                continue;
            }

            manifests.Add(entry);
        }

        manifests.Add(manifest with
        {
            Annotations = new Dictionary<string, string> { [RefNameAnnotation] = name },
            Platform = null,
        });
        WriteIndex(index with { Manifests = manifests });
    }

    /// <summary>Records <paramref name="manifest"/> without a name, unless the index lists it already.</summary>
    public void AddUnnamedImage(Descriptor manifest)
    {
        var index = ReadIndex();
        if (index.Manifests.Any(m => m.Digest == manifest.Digest))
        {
            return;
        }

        WriteIndex(index with { Manifests = [.. index.Manifests, manifest with { Annotations = null, Platform = null }] });
    }

    /// <summary>Removes one name. Returns false when no image has it.</summary>
    public bool RemoveName(string name)
    {
        var index = ReadIndex();
        var removed = index.Manifests.Where(m => m.Annotations?.GetValueOrDefault(RefNameAnnotation) == name).ToList();
        if (removed.Count == 0)
        {
            return false;
        }

        WriteIndex(index with { Manifests = index.Manifests.Except(removed).ToList() });
        return true;
    }

    /// <summary>Removes every index entry of the image with this manifest digest.</summary>
    public void RemoveImage(Digest manifestDigest)
    {
        var index = ReadIndex();
        WriteIndex(index with { Manifests = index.Manifests.Where(m => m.Digest != manifestDigest).ToList() });
    }

    public async Task<ImageManifest> ReadManifestAsync(Digest manifestDigest, CancellationToken cancellationToken)
    {
        byte[] bytes = await Blobs.ReadAllAsync(manifestDigest, cancellationToken).ConfigureAwait(false);
        return OciJson.Deserialize<ImageManifest>(bytes, $"manifest {manifestDigest}");
    }

    public async Task<ImageConfig> ReadConfigAsync(Digest configDigest, CancellationToken cancellationToken)
    {
        byte[] bytes = await Blobs.ReadAllAsync(configDigest, cancellationToken).ConfigureAwait(false);
        return OciJson.Deserialize<ImageConfig>(bytes, $"image config {configDigest}");
    }

    private static bool MatchesId(StoredImage image, string text)
    {
        string hex = text.StartsWith("sha256:", StringComparison.Ordinal) ? text["sha256:".Length..] : text;
        return hex.Length >= 3 && hex.All(char.IsAsciiHexDigitLower)
               && (image.Id.Encoded.StartsWith(hex, StringComparison.Ordinal)
                   || image.Manifest.Digest.Encoded.StartsWith(hex, StringComparison.Ordinal));
    }

    private async Task<StoredImage> DescribeAsync(Descriptor manifestDescriptor, List<string> names, CancellationToken cancellationToken)
    {
        var platformManifest = MediaTypes.IsIndex(manifestDescriptor.MediaType)
            ? await ReadPlatformEntryAsync(manifestDescriptor.Digest, cancellationToken).ConfigureAwait(false)
            : manifestDescriptor;
        var manifest = await ReadManifestAsync(platformManifest.Digest, cancellationToken).ConfigureAwait(false);
        var config = await ReadConfigAsync(manifest.Config.Digest, cancellationToken).ConfigureAwait(false);
        long size = manifest.Config.Size + manifest.Layers.Sum(l => l.Size);
        return new StoredImage(manifestDescriptor, manifest.Config.Digest, names, config.Created, size) { PlatformManifest = platformManifest };
    }

    /// <summary>Returns the entry of a stored index for this machine's platform, else its first entry.</summary>
    private async Task<Descriptor> ReadPlatformEntryAsync(Digest indexDigest, CancellationToken cancellationToken)
    {
        var index = await ReadIndexBlobAsync(indexDigest, cancellationToken).ConfigureAwait(false);
        return index.FindManifest(Platform.Current())
               ?? index.Manifests.FirstOrDefault()
               ?? throw new OciException(ErrorCodes.StoreError, $"the stored index {indexDigest} lists no manifests; remove it with `ocibuild rmi`");
    }

    internal async Task<ImageIndex> ReadIndexBlobAsync(Digest indexDigest, CancellationToken cancellationToken)
    {
        byte[] bytes = await Blobs.ReadAllAsync(indexDigest, cancellationToken).ConfigureAwait(false);
        return OciJson.Deserialize<ImageIndex>(bytes, $"image index {indexDigest}");
    }
}
