using System.Globalization;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Tasks.Sbom;
using OciBuild.Transport.Building;

namespace OciBuild.Tasks;

/// <summary>
/// Builds an OCI image from the publish folder and pushes it to a registry or the local store.
/// Parameters mirror the <c>Oci*</c> properties and items of OciBuild.Tasks.targets.
/// </summary>
public sealed class CreateOciImage : Microsoft.Build.Utilities.Task, ICancelableTask
{
    private readonly CancellationTokenSource _cancellation = new();

    [Required]
    public string PublishDirectory { get; set; } = "";

    public string? BaseImage { get; set; }

    public string? Registry { get; set; }

    [Required]
    public string Repository { get; set; } = "";

    /// <summary>Tags separated by ';' or ','.</summary>
    public string Tags { get; set; } = "latest";

    public string WorkingDirectory { get; set; } = "/app";

    /// <summary>The plain Entrypoint (<c>OciEntrypoint</c>); see <see cref="StartCommand"/> for how it combines with the app command.</summary>
    public string[]? Entrypoint { get; set; }

    public string[]? Cmd { get; set; }

    public ITaskItem[] AppCommand { get; set; } = [];

    public ITaskItem[] AppCommandArgs { get; set; } = [];

    public ITaskItem[] DefaultArgs { get; set; } = [];

    public string? AppCommandInstruction { get; set; }

    public string? User { get; set; }

    public ITaskItem[] Ports { get; set; } = [];

    public ITaskItem[] EnvironmentVariables { get; set; } = [];

    public ITaskItem[] Labels { get; set; } = [];

    /// <summary>Labels computed from project properties (version, title and so on); <see cref="Labels"/> override them.</summary>
    public ITaskItem[] GeneratedLabels { get; set; } = [];

    /// <summary>Adds <c>org.opencontainers.image.created</c> with the config's creation time.</summary>
    public bool GenerateCreatedLabel { get; set; }

    /// <summary>Adds <c>org.opencontainers.image.base.name</c> with the base image reference.</summary>
    public bool GenerateBaseNameLabel { get; set; }

    /// <summary>Adds <c>org.opencontainers.image.base.digest</c> with the base manifest digest.</summary>
    public bool GenerateBaseDigestLabel { get; set; }

    /// <summary>Manifest annotations, as NAME (item spec) = Value (metadata).</summary>
    public ITaskItem[] Annotations { get; set; } = [];

    /// <summary><c>split</c> (default): one layer per <see cref="PublishFileKind"/>; <c>single</c>: one layer for the publish folder.</summary>
    public string? LayerStrategy { get; set; }

    /// <summary>The publish items (<c>ResolvedFileToPublish</c>) whose metadata records where each file comes from.</summary>
    public ITaskItem[] PublishFiles { get; set; } = [];

    /// <summary>Owner of every layer entry as <c>UID[:GID]</c>; the group defaults to the user ID.</summary>
    public string? FileOwner { get; set; }

    /// <summary>Where built layers are kept between publishes, such as <c>obj/Release/net10.0/ocibuild-layers</c>.</summary>
    public string? LayerCacheDirectory { get; set; }

    /// <summary>A file to write the manifest digest to, such as <c>sha256:ab12…</c>, with no line break.</summary>
    public string? DigestFile { get; set; }

    /// <summary>A file (or a folder, to get REPOSITORY.tar in it) that receives the image as an archive instead of a push.</summary>
    public string? ArchiveOutputPath { get; set; }

    /// <summary><c>oci</c> (default) or <c>docker</c>.</summary>
    public string? ArchiveFormat { get; set; }

    public string? AppHostName { get; set; }

    public string? AssemblyFileName { get; set; }

    public string? RuntimeIdentifier { get; set; }

    /// <summary>
    /// One item per runtime identifier of a multi-platform publish (item spec: the runtime identifier),
    /// with the metadata PublishDirectory, BaseImage, AppHostName, AssemblyFileName and
    /// LayerCacheDirectory of its inner build. Two or more items build an image index.
    /// </summary>
    public ITaskItem[] PlatformImages { get; set; } = [];

    /// <summary>The inner builds' publish items, each with the metadata OciRuntimeIdentifier.</summary>
    public ITaskItem[] PlatformPublishFiles { get; set; } = [];

    /// <summary>
    /// <c>true</c> or <c>false</c> for every registry. Empty lets registries.conf mark a registry insecure
    /// and verifies the others. It is a string because a bool parameter cannot tell unset from false.
    /// </summary>
    public string? TlsVerify { get; set; }

    public string? Credentials { get; set; }

    public string? CertificateDirectory { get; set; }

    public long ChunkSize { get; set; }

    public string? LocalStore { get; set; }

    /// <summary><c>gzip</c> (default) or <c>zstd</c>.</summary>
    public string? LayerCompression { get; set; }

    /// <summary>1 to 9 for gzip, 1 to 22 for zstd; empty keeps the compression's default.</summary>
    public string? LayerCompressionLevel { get; set; }

    /// <summary><c>true</c> or <c>false</c>; empty attaches an SBOM to registry pushes only.</summary>
    public string? Sbom { get; set; }

    /// <summary>The project's obj/project.assets.json, which lists the NuGet packages for the SBOM.</summary>
    public string? ProjectAssetsFile { get; set; }

    /// <summary>The published target framework, which picks the restore target in <see cref="ProjectAssetsFile"/>.</summary>
    public string? TargetFramework { get; set; }

    [Output]
    public ITaskItem[] GeneratedImages { get; private set; } = [];

    [Output]
    public string GeneratedManifestDigest { get; private set; } = "";

    [Output]
    public string GeneratedImageId { get; private set; } = "";

    [Output]
    public string GeneratedManifestMediaType { get; private set; } = "";

    public void Cancel() => _cancellation.Cancel();

    public override bool Execute()
    {
        try
        {
            var request = CreateRequest();
            var publisher = new ImagePublisher(new MSBuildLogger(Log));
            var result = publisher.PublishAsync(request, _cancellation.Token).GetAwaiter().GetResult();

            GeneratedManifestDigest = result.ManifestDigest.ToString();
            GeneratedImageId = result.ConfigDigest?.ToString() ?? "";
            GeneratedManifestMediaType = result.ManifestMediaType;
            GeneratedImages = result.References.Select(r => (ITaskItem)new TaskItem(r, new Dictionary<string, string>
            {
                ["ManifestDigest"] = GeneratedManifestDigest,
                ["ImageId"] = GeneratedImageId,
                ["ManifestMediaType"] = GeneratedManifestMediaType,
            })).ToArray();
            string platforms = request.Platforms.Count > 0 ? $" for {string.Join(", ", request.Platforms.Select(p => p.Platform))}" : "";
            foreach (string reference in result.References)
            {
                string verb = !string.IsNullOrWhiteSpace(ArchiveOutputPath) ? "Wrote image archive {0} ({1}){2}"
                    : string.IsNullOrWhiteSpace(Registry) ? "Stored image {0} in the local store ({1}){2}"
                    : "Pushed image {0} ({1}){2}";
                Log.LogMessage(MessageImportance.High, verb, reference, GeneratedManifestDigest, platforms);
            }

            if (!string.IsNullOrWhiteSpace(DigestFile))
            {
                WriteDigestFile(Path.GetFullPath(DigestFile), GeneratedManifestDigest);
            }

            return !Log.HasLoggedErrors;
        }
        catch (OciException e)
        {
            Log.LogError(subcategory: null, errorCode: e.Code, helpKeyword: null, file: null, lineNumber: 0, columnNumber: 0, endLineNumber: 0, endColumnNumber: 0, message: e.Message);
            return false;
        }
        catch (IOException e) when (StorageFullException.IsStorageFull(e))
        {
            // A write that no store method wrapped with its context. The message of the IOException names the file.
            Log.LogError(subcategory: null, errorCode: ErrorCodes.StorageFull, helpKeyword: null, file: null, lineNumber: 0, columnNumber: 0, endLineNumber: 0, endColumnNumber: 0, message: $"{e.Message.TrimEnd('.')}; {StorageFullException.StoreFix}");
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file outside the store, such as OciDigestFile, OciArchiveOutputPath or the layer cache in obj/.
            Log.LogError(subcategory: null, errorCode: ErrorCodes.FileAccessFailed, helpKeyword: null, file: null, lineNumber: 0, columnNumber: 0, endLineNumber: 0, endColumnNumber: 0, message: $"{e.Message.TrimEnd('.')}; check that the folder exists and that the build can write it (OciDigestFile, OciArchiveOutputPath and the project's obj folder)");
            return false;
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            Log.LogWarning("image publish canceled");
            return false;
        }
    }

    private PublishRequest CreateRequest()
    {
        var tags = Tags.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        // Checked here, because joined to the repository a tag with ':' would read as part of the repository name.
        if (tags.FirstOrDefault(t => !ImageReference.IsValidTag(t)) is { } invalidTag)
        {
            throw new OciException(ErrorCodes.InvalidReference, $"OciTags contains the invalid tag \"{invalidTag}\": a tag has 1 to 128 characters from A-Z, a-z, 0-9, '_', '.' and '-', and does not start with '.' or '-'");
        }

        var startCommand = new StartCommand
        {
            Entrypoint = Entrypoint ?? [],
            Cmd = Cmd ?? [],
            AppCommand = AppCommand.Select(i => i.ItemSpec).ToList(),
            AppCommandArgs = AppCommandArgs.Select(i => i.ItemSpec).ToList(),
            DefaultArgs = DefaultArgs.Select(i => i.ItemSpec).ToList(),
            Instruction = AppCommandInstruction,
        };
        startCommand.Validate();

        string workingDirectory = NormalizeWorkingDirectory(WorkingDirectory);
        var created = SourceDateEpoch.Read() ?? DateTimeOffset.UtcNow;
        var labels = ToDictionary(GeneratedLabels, "generated label");
        if (GenerateCreatedLabel)
        {
            labels["org.opencontainers.image.created"] = created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        }

        foreach (var (name, value) in ToDictionary(Labels, "OciLabel"))
        {
            labels[name] = value;
        }

        var (compression, compressionLevel) = LayerCompressionSetting.Parse(LayerCompression, LayerCompressionLevel);
        var settings = new ImageSettings
        {
            WorkingDirectory = workingDirectory,
            User = string.IsNullOrEmpty(User) ? null : User,
            UseAppUidAsDefaultUser = true,
            EnvironmentVariables = ToDictionary(EnvironmentVariables, "OciEnvironmentVariable"),
            Labels = labels,
            LabelBaseName = GenerateBaseNameLabel,
            LabelBaseDigest = GenerateBaseDigestLabel,
            Annotations = ToDictionary(Annotations, "OciAnnotation"),
            ExposedPorts = Ports.Select(p => p.GetMetadata("Type") is { Length: > 0 } type ? $"{p.ItemSpec}/{type}" : p.ItemSpec).ToList(),
            Created = created,
            CreatedBy = $"ocibuild {typeof(CreateOciImage).Assembly.GetName().Version?.ToString(3)} (dotnet publish)",
        };
        return new PublishRequest
        {
            PublishDirectory = Path.GetFullPath(PublishDirectory),
            BaseImage = BaseImage,
            Registry = string.IsNullOrWhiteSpace(Registry) ? null : Registry.Trim(),
            Repository = Repository,
            Tags = tags,
            WorkingDirectory = workingDirectory,
            Settings = settings,
            StartCommand = startCommand,
            SplitLayers = ParseLayerStrategy(LayerStrategy),
            FileKinds = PublishFileClassifier.Classify(PublishFiles),
            FileOwner = ParseFileOwner(FileOwner),
            LayerCacheDirectory = string.IsNullOrWhiteSpace(LayerCacheDirectory) ? null : Path.GetFullPath(LayerCacheDirectory),
            AppHostName = AppHostName,
            AssemblyFileName = AssemblyFileName,
            Platform = string.IsNullOrWhiteSpace(RuntimeIdentifier) ? Platform.Current() : RuntimeIdentifierPlatforms.FromRuntimeIdentifier(RuntimeIdentifier),
            Platforms = CreatePlatformPublishes(),
            TlsVerify = ParseTlsVerify(TlsVerify),
            Credentials = Credentials,
            CertificateDirectory = string.IsNullOrEmpty(CertificateDirectory) ? null : Path.GetFullPath(CertificateDirectory),
            ChunkSize = ChunkSize,
            ArchiveOutputPath = string.IsNullOrWhiteSpace(ArchiveOutputPath) ? null : Path.GetFullPath(ArchiveOutputPath.Trim()),
            DockerArchive = string.Equals(ArchiveFormat?.Trim(), "docker", StringComparison.OrdinalIgnoreCase),
            LocalStoreRoot = string.IsNullOrEmpty(LocalStore) ? null : Path.GetFullPath(LocalStore),
            LayerCompression = compression,
            LayerCompressionLevel = compressionLevel,
            Sbom = CreateSbomRequest(),
        };
    }

    /// <summary>Returns what the SBOM needs, or null when <c>OciSbom</c> is false or unset without a registry.</summary>
    private SbomRequest? CreateSbomRequest()
    {
        bool enabled = Sbom?.Trim().ToLowerInvariant() switch
        {
            null or "" => !string.IsNullOrWhiteSpace(Registry) && string.IsNullOrWhiteSpace(ArchiveOutputPath),
            "true" => true,
            "false" => false,
            _ => throw new OciException(ErrorCodes.InvalidSbomSetting, $"OciSbom=\"{Sbom}\" is invalid; use true (attach an SPDX SBOM to the pushed image), false, or leave it unset to attach one to registry pushes only"),
        };
        if (!enabled)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(ProjectAssetsFile))
        {
            throw new OciException(ErrorCodes.ProjectAssetsMissing, "the SBOM needs the project's restore result, but ProjectAssetsFile is empty; publish an SDK-style project that uses PackageReference, or set OciSbom=false");
        }

        return new SbomRequest(Path.GetFullPath(ProjectAssetsFile), TargetFramework, string.IsNullOrWhiteSpace(RuntimeIdentifier) ? null : RuntimeIdentifier);
    }

    // The words MSBuild accepts for a bool parameter, without its "!" negations.
    internal static bool? ParseTlsVerify(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "true" or "yes" or "on" => true,
        "false" or "no" or "off" => false,
        _ => throw new OciException(ErrorCodes.InvalidArgument, $"OciTlsVerify=\"{value}\" is invalid; use true, false, or leave it unset so that registries.conf decides"),
    };

    private static bool ParseLayerStrategy(string? strategy) => strategy?.Trim().ToLowerInvariant() switch
    {
        null or "" or "split" => true,
        "single" => false,
        _ => throw new OciException(ErrorCodes.InvalidArgument, $"OciLayerStrategy=\"{strategy}\" is invalid; use split (a layer each for runtime, packages, project references and app) or single"),
    };

    internal static (int UserId, int GroupId) ParseFileOwner(string? owner)
    {
        if (string.IsNullOrWhiteSpace(owner))
        {
            return (0, 0);
        }

        string[] parts = owner.Trim().Split(':');
        if (parts.Length > 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int userId)
            || (parts.Length == 2 && !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            throw new OciException(ErrorCodes.InvalidArgument, $"OciFileOwner=\"{owner}\" is invalid; use numeric IDs as UID or UID:GID, such as 1654 or 1654:1654");
        }

        int groupId = parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : userId;
        return (userId, groupId);
    }

    // The SDK's default is "/app/"; without the trailing slash both spellings give the same config.
    private static string NormalizeWorkingDirectory(string directory)
    {
        string trimmed = directory.Trim();
        return trimmed.Length > 1 ? trimmed.TrimEnd('/') : trimmed;
    }

    private void WriteDigestFile(string path, string digest)
    {
        string? directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, digest);
        Log.LogMessage(MessageImportance.Normal, "wrote the manifest digest to {0}", path);
    }

    /// <summary>Reads items as NAME (item spec) = Value (metadata).</summary>
    private static Dictionary<string, string> ToDictionary(ITaskItem[] items, string itemName)
    {
        var result = new Dictionary<string, string>();
        foreach (var item in items)
        {
            if (string.IsNullOrWhiteSpace(item.ItemSpec))
            {
                throw new OciException(ErrorCodes.InvalidArgument, $"invalid {itemName} item: its Include (the name) is empty; give every item a name");
            }

            result[item.ItemSpec] = item.GetMetadata("Value");
        }

        return result;
    }

    private IReadOnlyList<PlatformPublish> CreatePlatformPublishes()
    {
        var publishes = new List<PlatformPublish>();
        foreach (var item in PlatformImages)
        {
            string runtimeIdentifier = item.ItemSpec.Trim();
            string? Metadata(string name) => item.GetMetadata(name) is { Length: > 0 } value ? value : null;
            string publishDirectory = Metadata("PublishDirectory")
                ?? throw new OciException(ErrorCodes.NoPublishOutput, $"the inner build for {runtimeIdentifier} returned no publish folder; check that its Publish target ran");
            var publishFiles = PlatformPublishFiles.Where(f => f.GetMetadata("OciRuntimeIdentifier") == runtimeIdentifier);
            publishes.Add(new PlatformPublish
            {
                RuntimeIdentifier = runtimeIdentifier,
                Platform = RuntimeIdentifierPlatforms.FromRuntimeIdentifier(runtimeIdentifier),
                PublishDirectory = Path.GetFullPath(publishDirectory),
                BaseImage = Metadata("BaseImage"),
                FileKinds = PublishFileClassifier.Classify(publishFiles, "OciSourceProjectFile"),
                LayerCacheDirectory = Metadata("LayerCacheDirectory") is { } cache ? Path.GetFullPath(cache) : null,
                AppHostName = Metadata("AppHostName"),
                AssemblyFileName = Metadata("AssemblyFileName"),
            });
        }

        return publishes;
    }
}
