namespace OciBuild.Core.Errors;

/// <summary>Stable error codes; docs/errors.md explains each one and its fix.</summary>
public static class ErrorCodes
{
    public const string InvalidReference = "OCIB1001";
    public const string InvalidDigest = "OCIB1002";
    public const string DigestMismatch = "OCIB1003";
    public const string InvalidManifest = "OCIB1004";
    public const string InvalidConfig = "OCIB1005";
    public const string InvalidCredentials = "OCIB1006";
    public const string InvalidArgument = "OCIB1007";
    public const string InvalidStorageDriver = "OCIB1010";

    public const string ImageNotFound = "OCIB2001";
    public const string BlobNotFound = "OCIB2002";
    public const string ContainerNotFound = "OCIB2003";
    public const string PlatformNotFound = "OCIB2004";

    public const string InvalidImageLayout = "OCIB2101";
    public const string AmbiguousImage = "OCIB2102";
    public const string DaemonError = "OCIB2103";
    public const string UnsupportedOperation = "OCIB2104";
    public const string ShortNameNotFound = "OCIB2115";

    public const string BasePlatformMismatch = "OCIB2110";

    public const string RegistryError = "OCIB3001";
    public const string RegistryUnreachable = "OCIB3002";
    public const string RegistryUnauthorized = "OCIB3003";
    public const string TlsFailure = "OCIB3004";
    public const string ClientCertificateRequired = "OCIB3010";
    public const string ClientCertificateRejected = "OCIB3011";
    public const string IdentityTokenNotAccepted = "OCIB3012";

    public const string CredentialsFileInvalid = "OCIB3101";
    public const string CertificateDirectoryInvalid = "OCIB3102";
    public const string RegistriesConfInvalid = "OCIB3103";
    public const string NotLoggedIn = "OCIB3104";

    public const string LayerUnsafe = "OCIB4001";
    public const string LayerInvalid = "OCIB4002";
    public const string NoPublishOutput = "OCIB4003";
    public const string LayerUnsupported = "OCIB4004";

    public const string ProjectAssetsMissing = "OCIB4010";
    public const string ProjectAssetsInvalid = "OCIB4011";
    public const string ReferrersTagInvalid = "OCIB4012";

    public const string StoreError = "OCIB5001";
    public const string ImageInUse = "OCIB5002";
    public const string StorageFull = "OCIB5010";
    public const string FileAccessFailed = "OCIB5011";

    public const string RootfsMountFailed = "OCIB5101";
    public const string NotACopyDestination = "OCIB5102";
    public const string OverlayUnavailable = "OCIB5110";

    public const string RuntimeMissing = "OCIB6001";
    public const string RuntimeFailed = "OCIB6002";

    public const string InvalidArchiveFormat = "OCIB7101";
    // No longer raised, because several runtime identifiers now build an image index. The code stays
    // reserved so that it keeps one meaning in old build logs.
    public const string MultiPlatformNotAvailable = "OCIB7102";
    public const string ConflictingStartCommand = "OCIB7103";
    public const string UnsupportedImageFormat = "OCIB7104";

    public const string MultiPlatformDockerArchive = "OCIB7110";
    public const string SharedPublishDirectory = "OCIB7111";
    public const string NonLinuxRuntimeIdentifier = "OCIB7112";
    public const string DuplicatePlatform = "OCIB7113";
    public const string UnknownLayerCompression = "OCIB7120";
    public const string InvalidCompressionLevel = "OCIB7121";
    public const string InvalidSbomSetting = "OCIB7122";
}
