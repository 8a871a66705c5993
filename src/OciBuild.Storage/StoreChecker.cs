using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Storage;

/// <summary>
/// Checks a local store for what interrupted or damaged writes leave behind, and optionally repairs it:
/// temporary files and folders, blobs that do not match their digest, index entries whose blobs are missing, and
/// working container records and folders without each other.
/// </summary>
/// <remarks>
/// The check holds the store lock, so no other ocibuild process changes the store meanwhile. A
/// repair removes only leftovers, damaged blobs and dangling records, never a blob that verifies and
/// that an image refers to. A publish builds its layer in <c>tmp/</c> before it takes the lock, so
/// temporary files that a running process has open are left alone.
/// </remarks>
// Repairs remove working containers, which unmounts their overlay rootfs: a Linux-only call.
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class StoreChecker
{
    private const string BlobTemporaryPrefix = ".tmp-";

    private readonly LocalImageStore _store;

    public StoreChecker(LocalImageStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>Checks the store and, when <paramref name="repair"/> is true, removes what it can.</summary>
    /// <exception cref="OciException">The store's index or container list is not valid JSON (<see cref="ErrorCodes.StoreError"/>).</exception>
    public async Task<StoreCheckReport> CheckAsync(bool repair, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(_store.Root))
        {
            return new StoreCheckReport([], [], 0, 0, 0);
        }

        using var storeLock = await _store.LockAsync(cancellationToken).ConfigureAwait(false);
        var problems = new List<StoreProblem>();

        var filesInUse = CheckTemporaryFiles(repair, problems);
        var (blobsChecked, damagedBlobs) = await CheckBlobsAsync(repair, problems, cancellationToken).ConfigureAwait(false);
        int imagesChecked = await CheckImagesAsync(repair, damagedBlobs, problems, cancellationToken).ConfigureAwait(false);
        int containersChecked = CheckContainers(repair, problems);

        return new StoreCheckReport(problems, filesInUse, imagesChecked, blobsChecked, containersChecked);
    }

    private List<string> CheckTemporaryFiles(bool repair, List<StoreProblem> problems)
    {
        var candidates = new List<string>();
        string temporaryDirectory = Path.Combine(_store.Root, "tmp");
        if (Directory.Exists(temporaryDirectory))
        {
            candidates.AddRange(Directory.EnumerateFileSystemEntries(temporaryDirectory));
        }

        string blobsDirectory = BlobsDirectory;
        if (Directory.Exists(blobsDirectory))
        {
            candidates.AddRange(Directory.EnumerateFiles(blobsDirectory, BlobTemporaryPrefix + "*"));
        }

        // An interrupted extraction into the layer cache leaves its .tmp- folder, which can be as large as the layer.
        string layersDirectory = Path.Combine(_store.Root, "layers");
        if (Directory.Exists(layersDirectory))
        {
            candidates.AddRange(Directory.EnumerateDirectories(layersDirectory, BlobTemporaryPrefix + "*"));
        }

        // The index and the container list are written to NAME.tmp and renamed over NAME.
        candidates.AddRange(new[] { "index.json.tmp", "containers.json.tmp" }.Select(n => Path.Combine(_store.Root, n)).Where(File.Exists));

        var openFiles = OpenFileFinder.FindUnder(_store.Root);
        var inUse = new List<string>();
        foreach (string path in candidates.Order(StringComparer.Ordinal))
        {
            if (openFiles.Contains(path) || openFiles.Any(file => file.StartsWith(path + "/", StringComparison.Ordinal)))
            {
                inUse.Add(path);
                continue;
            }

            if (repair)
            {
                DeletePath(path);
            }

            problems.Add(new StoreProblem(StoreProblemKind.PartialFile, path, "a temporary file that an interrupted write left behind", repair));
        }

        return inUse;
    }

    private async Task<(int Checked, HashSet<Digest> Damaged)> CheckBlobsAsync(bool repair, List<StoreProblem> problems, CancellationToken cancellationToken)
    {
        var damaged = new HashSet<Digest>();
        int checkedCount = 0;
        if (!Directory.Exists(BlobsDirectory))
        {
            return (0, damaged);
        }

        foreach (string path in Directory.EnumerateFileSystemEntries(BlobsDirectory).Order(StringComparer.Ordinal).ToList())
        {
            string name = Path.GetFileName(path);
            if (name.StartsWith(BlobTemporaryPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (!Digest.TryParse($"{Digest.Sha256}:{name}", out var digest) || !File.Exists(path))
            {
                problems.Add(new StoreProblem(StoreProblemKind.UnknownFile, path, "not a blob: its name is not a sha256 digest. Remove it by hand if nothing of yours needs it", Repaired: false));
                continue;
            }

            checkedCount++;
            Digest actual;
            await using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan))
            {
                actual = await Digest.ComputeAsync(stream, cancellationToken).ConfigureAwait(false);
            }

            if (actual == digest)
            {
                continue;
            }

            damaged.Add(digest);
            if (repair)
            {
                File.Delete(path);
            }

            problems.Add(new StoreProblem(StoreProblemKind.CorruptBlob, path, $"the content hashes to {actual}, not to {digest}", repair));
        }

        return (checkedCount, damaged);
    }

    private async Task<int> CheckImagesAsync(bool repair, HashSet<Digest> damagedBlobs, List<StoreProblem> problems, CancellationToken cancellationToken)
    {
        string indexPath = Path.Combine(_store.Root, "index.json");
        if (!File.Exists(indexPath))
        {
            return 0;
        }

        byte[] indexBytes = await File.ReadAllBytesAsync(indexPath, cancellationToken).ConfigureAwait(false);
        ImageIndex index;
        try
        {
            index = OciJson.Deserialize<ImageIndex>(indexBytes, $"store index {indexPath}");
        }
        catch (OciException e)
        {
            throw new OciException(ErrorCodes.StoreError, $"the local store's index is damaged, so its images cannot be checked: {e.Message}", e);
        }

        var images = index.Manifests.GroupBy(m => m.Digest).ToList();
        foreach (var image in images)
        {
            var missing = new List<string>();
            await FindMissingBlobsAsync(image.First(), damagedBlobs, missing, cancellationToken).ConfigureAwait(false);
            if (missing.Count == 0)
            {
                continue;
            }

            if (repair)
            {
                _store.RemoveImage(image.Key);
            }

            var names = image.Select(m => m.Annotations?.GetValueOrDefault(LocalImageStore.RefNameAnnotation)).OfType<string>().ToList();
            string subject = names.Count == 0 ? $"image {image.Key}" : $"image {string.Join(", ", names)} ({image.Key})";
            problems.Add(new StoreProblem(StoreProblemKind.DanglingImage, subject, $"{string.Join("; ", missing)}. Pull or publish the image again", repair));
        }

        return images.Count;
    }

    // Adds a line for each blob below the descriptor that is missing, damaged or not valid JSON.
    private async Task FindMissingBlobsAsync(Descriptor descriptor, HashSet<Digest> damagedBlobs, List<string> missing, CancellationToken cancellationToken)
    {
        string what = MediaTypes.IsIndex(descriptor.MediaType) ? "index" : "manifest";
        if (!IsIntact(descriptor.Digest, damagedBlobs, $"{what} {descriptor.Digest}", missing))
        {
            return;
        }

        byte[] bytes = await File.ReadAllBytesAsync(_store.Blobs.GetPath(descriptor.Digest), cancellationToken).ConfigureAwait(false);
        try
        {
            if (MediaTypes.IsIndex(descriptor.MediaType))
            {
                foreach (var child in OciJson.Deserialize<ImageIndex>(bytes, what).Manifests)
                {
                    await FindMissingBlobsAsync(child, damagedBlobs, missing, cancellationToken).ConfigureAwait(false);
                }

                return;
            }

            var manifest = OciJson.Deserialize<ImageManifest>(bytes, what);
            IsIntact(manifest.Config.Digest, damagedBlobs, $"config {manifest.Config.Digest}", missing);
            foreach (var layer in manifest.Layers)
            {
                IsIntact(layer.Digest, damagedBlobs, $"layer {layer.Digest}", missing);
            }
        }
        catch (OciException e)
        {
            missing.Add($"{what} {descriptor.Digest} is not valid: {e.Message}");
        }
    }

    private bool IsIntact(Digest digest, HashSet<Digest> damagedBlobs, string what, List<string> missing)
    {
        // A blob that a repair deleted as damaged is still reported as damaged, which explains why it is gone.
        if (damagedBlobs.Contains(digest))
        {
            missing.Add($"{what} is damaged");
            return false;
        }

        if (digest.Algorithm != Digest.Sha256 || !_store.Blobs.Contains(digest))
        {
            missing.Add($"{what} is missing");
            return false;
        }

        return true;
    }

    private int CheckContainers(bool repair, List<StoreProblem> problems)
    {
        var containers = _store.ListContainers();
        foreach (var container in containers)
        {
            string directory = _store.GetContainerDirectory(container.Id);
            if (Directory.Exists(directory))
            {
                continue;
            }

            if (repair)
            {
                _store.RemoveContainer(container);
            }

            problems.Add(new StoreProblem(StoreProblemKind.ContainerWithoutFolder, $"container {container.Name} ({container.Id})", $"its folder {directory} is missing", repair));
        }

        string containersDirectory = Path.Combine(_store.Root, "containers");
        if (Directory.Exists(containersDirectory))
        {
            var ids = containers.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
            foreach (string directory in Directory.EnumerateFileSystemEntries(containersDirectory).Order(StringComparer.Ordinal).ToList())
            {
                if (ids.Contains(Path.GetFileName(directory)))
                {
                    continue;
                }

                if (repair)
                {
                    DeletePath(directory);
                }

                problems.Add(new StoreProblem(StoreProblemKind.FolderWithoutContainer, directory, "no working container record lists this folder, so an interrupted `from` probably left it", repair));
            }
        }

        return containers.Count;
    }

    private string BlobsDirectory => Path.Combine(_store.Root, "blobs", Digest.Sha256);

    // Removes a file, a symlink or a whole folder. Directory.Delete unlinks symlinks inside a
    // container's rootfs instead of following them, so nothing outside the store is touched.
    private static void DeletePath(string path)
    {
        if (Directory.Exists(path) && new DirectoryInfo(path).LinkTarget is null)
        {
            Directory.Delete(path, recursive: true);
        }
        else
        {
            File.Delete(path);
        }
    }
}
