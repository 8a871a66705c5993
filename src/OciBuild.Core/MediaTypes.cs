namespace OciBuild.Core;

/// <summary>Media types of the OCI image spec and of Docker's image manifest v2 schema 2.</summary>
public static class MediaTypes
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";
    public const string OciLayer = "application/vnd.oci.image.layer.v1.tar";
    public const string OciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string OciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";

    /// <summary>The empty JSON object <c>{}</c>, the config of artifacts that have no config of their own.</summary>
    public const string OciEmpty = "application/vnd.oci.empty.v1+json";

    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public const string DockerForeignLayerGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

    /// <summary>The Accept header value for manifest requests: every manifest and index type we can read.</summary>
    public static readonly string[] ManifestAccept = [OciManifest, OciIndex, DockerManifest, DockerManifestList];

    public static bool IsIndex(string? mediaType) => mediaType is OciIndex or DockerManifestList;

    public static bool IsManifest(string? mediaType) => mediaType is OciManifest or DockerManifest;

    public static bool IsGzipLayer(string? mediaType) => mediaType is OciLayerGzip or DockerLayerGzip or DockerForeignLayerGzip;

    public static bool IsLayer(string? mediaType)
        => mediaType is OciLayer or OciLayerZstd || IsGzipLayer(mediaType)
           || mediaType == "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
}
