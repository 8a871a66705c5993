using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OciBuild.Transport.Credentials;

namespace OciBuild.Transport.Registry;

/// <summary>How to talk to one registry.</summary>
public sealed record RegistryOptions
{
    /// <summary>
    /// Sets both TLS settings at once, as <c>--tls-verify</c> does in buildah and skopeo: false skips
    /// certificate checks and allows plain HTTP after HTTPS fails. Reads true only when neither is relaxed.
    /// </summary>
    public bool TlsVerify
    {
        get => !SkipCertificateVerification && !AllowPlainHttp;
        init
        {
            SkipCertificateVerification = !value;
            AllowPlainHttp = !value;
        }
    }

    /// <summary>Accept any server certificate over HTTPS.</summary>
    public bool SkipCertificateVerification { get; init; }

    /// <summary>
    /// Use plain HTTP when the registry does not support TLS. Loopback registries are covered by
    /// <see cref="AllowLoopbackPlainHttp"/> instead.
    /// </summary>
    public bool AllowPlainHttp { get; init; }

    /// <summary>
    /// Use plain HTTP for a registry on <c>localhost</c>, 127.0.0.0/8 or <c>[::1]</c> when it does not support
    /// TLS, even with <see cref="AllowPlainHttp"/> off, as the Docker engine allows. A loopback registry that
    /// does support TLS still has its certificate verified.
    /// </summary>
    public bool AllowLoopbackPlainHttp { get; init; } = true;

    /// <summary>
    /// A folder in the containers-certs.d(5) layout: <c>*.crt</c> files are extra CA certificates and each
    /// <c>NAME.cert</c> with its <c>NAME.key</c> is a client certificate. Null looks in the certs.d folders.
    /// </summary>
    public string? CertificateDirectory { get; init; }

    /// <summary>Credentials given explicitly; they win over <see cref="CredentialResolver"/>.</summary>
    public RegistryCredentials? Credentials { get; init; }

    /// <summary>Where to look for stored credentials when <see cref="Credentials"/> is null and the registry asks for some.</summary>
    public CredentialResolver? CredentialResolver { get; init; }

    /// <summary>
    /// Blobs larger than this are uploaded in PATCH chunks of this size and smaller ones in one PUT.
    /// 0, the default, sends every blob in one streaming PUT.
    /// </summary>
    /// <remarks>
    /// One request needs no spooling, whereas each chunk is copied to a temporary file first, so that it
    /// can be sent again from the offset the registry reports. <see cref="ImageCopier"/> starts a failed
    /// single-request upload again from the beginning. Chunks help behind proxies that limit the size of
    /// a request body.
    /// </remarks>
    public long ChunkSize { get; init; }

    public ILogger Logger { get; init; } = NullLogger.Instance;
}
