using OciBuild.Core;
using OciBuild.Layers;
using OciBuild.Tasks.Sbom;
using OciBuild.Transport.Building;

namespace OciBuild.Tasks;

/// <summary>Everything one image publish needs, gathered from MSBuild properties and items.</summary>
public sealed record PublishRequest
{
    public required string PublishDirectory { get; init; }

    /// <summary>The base image; null or empty starts from scratch.</summary>
    public string? BaseImage { get; init; }

    /// <summary>The destination registry; null stores the image in the local store.</summary>
    public string? Registry { get; init; }

    public required string Repository { get; init; }

    public required IReadOnlyList<string> Tags { get; init; }

    public string WorkingDirectory { get; init; } = "/app";

    /// <summary>The image settings; its Entrypoint and Cmd are replaced by what <see cref="StartCommand"/> resolves to.</summary>
    public required ImageSettings Settings { get; init; }

    public StartCommand StartCommand { get; init; } = new();

    /// <summary>True puts runtime, package, project-reference and app files in separate layers.</summary>
    public bool SplitLayers { get; init; } = true;

    /// <summary>The kind of each publish-relative path; files not listed are app files.</summary>
    public IReadOnlyDictionary<string, PublishFileKind> FileKinds { get; init; } = new Dictionary<string, PublishFileKind>();

    public (int UserId, int GroupId) FileOwner { get; init; }

    /// <summary>Where layers are kept for the next publish; null builds them in a temporary folder.</summary>
    public string? LayerCacheDirectory { get; init; }

    /// <summary>The file names to look for in the publish folder when choosing the entrypoint.</summary>
    public string? AppHostName { get; init; }

    public string? AssemblyFileName { get; init; }

    public Platform Platform { get; init; } = Platform.Current();

    /// <summary>True or false for every registry. Null lets registries.conf decide, and verifies otherwise.</summary>
    public bool? TlsVerify { get; init; }

    public string? Credentials { get; init; }

    /// <summary>CA and client certificates for the registries, in the containers-certs.d(5) layout; null looks in certs.d.</summary>
    public string? CertificateDirectory { get; init; }

    /// <summary>Upload chunk size in bytes; 0 chooses automatically.</summary>
    public long ChunkSize { get; init; }

    public string? LocalStoreRoot { get; init; }

    /// <summary>Where to write the image as an archive; when set, the image goes there and nowhere else.</summary>
    public string? ArchiveOutputPath { get; init; }

    /// <summary>Writes the archive in the <c>docker save</c> format instead of as an OCI layout tar.</summary>
    public bool DockerArchive { get; init; }

    /// <summary>
    /// One entry per runtime identifier of a multi-platform publish, which writes an image index. Empty
    /// builds one image from <see cref="PublishDirectory"/> for <see cref="Platform"/>.
    /// </summary>
    public IReadOnlyList<PlatformPublish> Platforms { get; init; } = [];

    /// <summary>Returns one single-platform request per entry of <see cref="Platforms"/>, or this request when it has none.</summary>
    public IReadOnlyList<PublishRequest> ForEachPlatform()
    {
        if (Platforms.Count == 0)
        {
            return [this];
        }

        return Platforms.Select(p => this with
        {
            PublishDirectory = p.PublishDirectory,
            BaseImage = p.BaseImage,
            Platform = p.Platform,
            FileKinds = p.FileKinds,
            LayerCacheDirectory = p.LayerCacheDirectory,
            AppHostName = p.AppHostName,
            AssemblyFileName = p.AssemblyFileName,
            Platforms = [],
        }).ToList();
    }

    public LayerCompressionFormat LayerCompression { get; init; } = LayerCompressionFormat.Gzip;

    /// <summary>The numeric level for <see cref="LayerCompression"/>; null keeps that compression's default.</summary>
    public int? LayerCompressionLevel { get; init; }

    /// <summary>Attaches an SBOM to the pushed image when set. Destinations other than a registry skip it with a warning.</summary>
    public SbomRequest? Sbom { get; init; }
}
