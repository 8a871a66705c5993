using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OciBuild.Transport.Registry;

/// <summary>How to talk to one registry.</summary>
public sealed record RegistryOptions
{
    /// <summary>
    /// When false, certificates are not checked and plain HTTP is allowed after HTTPS fails, as
    /// <c>--tls-verify=false</c> does in buildah and skopeo.
    /// </summary>
    public bool TlsVerify { get; init; } = true;

    public RegistryCredentials? Credentials { get; init; }

    /// <summary>Blobs larger than this are uploaded in PATCH chunks of this size; smaller ones in one PUT.</summary>
    public long ChunkSize { get; init; } = 64L * 1024 * 1024;

    public ILogger Logger { get; init; } = NullLogger.Instance;
}
