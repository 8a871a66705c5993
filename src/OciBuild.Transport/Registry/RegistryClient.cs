using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using OciBuild.Core.Errors;
using Polly;

namespace OciBuild.Transport.Registry;

/// <summary>
/// A client for one registry over the OCI distribution API. It chooses HTTPS, or plain HTTP when the
/// registry does not support TLS and plain HTTP is allowed; answers authentication challenges; and retries
/// idempotent requests on network faults and 408/429/5xx answers. The API calls live in the partial files
/// beside this one.
/// </summary>
public sealed partial class RegistryClient : IDisposable
{
    // A probe only decides between HTTPS and plain HTTP, so it must not wait as long as a blob transfer.
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    private readonly HttpClient _http;
    private readonly RegistryOptions _options;
    private readonly ILogger _logger;
    private readonly RegistryAuthenticator _authenticator;
    private readonly RegistryCertificates _certificates;
    private readonly ResiliencePipeline<HttpResponseMessage> _retry;
    private readonly SemaphoreSlim _probeLock = new(1, 1);
    private Uri? _baseUri;

    // Set when a server presented a certificate, which proves that it speaks TLS: then a failed handshake
    // is a certificate problem, never a reason to fall back to plain HTTP.
    private volatile bool _certificatePresented;

    // Set when the server asked for a client certificate during a handshake. A registry that requires one
    // closes the connection after the handshake when none is sent, which would otherwise read as unreachable.
    private volatile bool _clientCertificateRequested;

    // Set when a client certificate was offered, and when any response arrived. SslStream picks a configured
    // certificate before the handshake without telling whether the server asked for it, so a registry that
    // rejects the certificate shows only as a connection reset before the first response.
    private volatile bool _clientCertificateOffered;
    private volatile bool _responseReceived;

    public RegistryClient(string registry, RegistryOptions options)
    {
        Registry = registry;
        _options = options;
        _logger = options.Logger;
        _certificates = RegistryCertificates.Load(options.CertificateDirectory);

        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(15),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = ValidateCertificate,
                LocalCertificateSelectionCallback = SelectClientCertificate,
                ClientCertificates = _certificates.ClientCertificates.Count > 0 ? _certificates.ClientCertificates : null,
            },
        };

        // Blob transfers may take long; each call passes its own cancellation instead of a global timeout.
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("ocibuild/0.1");
        _authenticator = new RegistryAuthenticator(_http, registry, options.Credentials, options.CredentialResolver, _logger);
        _retry = RetryPolicy.Create(registry, _logger);
    }

    /// <summary>The registry's name as in image references, such as <c>localhost:5000</c>.</summary>
    public string Registry { get; }

    public void Dispose()
    {
        _http.Dispose();
        _probeLock.Dispose();
    }

    /// <summary>
    /// Sends a request built by <paramref name="createRequest"/> against the registry's base URI,
    /// authenticating for <paramref name="scope"/>. Requests with a body that can be read only once pass
    /// <paramref name="idempotent"/> false: they are neither retried nor re-sent after a challenge.
    /// </summary>
    internal async Task<HttpResponseMessage> SendAsync(Func<Uri, HttpRequestMessage> createRequest, string scope, bool idempotent, CancellationToken cancellationToken)
    {
        Uri baseUri = await GetBaseUriAsync(cancellationToken).ConfigureAwait(false);
        var response = await SendOnceAsync(createRequest, baseUri, _authenticator.GetCachedHeader(scope), idempotent, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized || !idempotent)
        {
            return response;
        }

        var header = await _authenticator.AnswerAsync(response, scope, cancellationToken).ConfigureAwait(false);
        if (header is null)
        {
            return response;
        }

        response.Dispose();
        return await SendOnceAsync(createRequest, baseUri, header, idempotent, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Makes sure the registry has asked for and received credentials for <paramref name="scope"/> before a body is sent.</summary>
    internal async Task AuthenticateAsync(string scope, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(baseUri => new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, "/v2/")), scope, idempotent: true, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized && _authenticator.GetCachedHeader(scope) is null)
        {
            // The registry wants credentials for everything; nothing to do until a scoped call answers.
            _logger.LogDebug("registry {Registry} requires authentication", Registry);
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(Func<Uri, HttpRequestMessage> createRequest, Uri baseUri, AuthenticationHeaderValue? authorization, bool idempotent, CancellationToken cancellationToken)
    {
        async ValueTask<HttpResponseMessage> Send(CancellationToken token)
        {
            using var request = createRequest(baseUri);
            request.Headers.Authorization = authorization;
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
            _responseReceived = true;
            // Headers carry credentials and query strings carry upload state, so neither is written out whole.
            _logger.LogDebug("{Method} {Uri} -> {Status}", request.Method, LogRedaction.Redact(request.RequestUri!), (int)response.StatusCode);
            return response;
        }

        try
        {
            return idempotent
                ? await _retry.ExecuteAsync(Send, cancellationToken).ConfigureAwait(false)
                : await Send(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(baseUri, e);
        }
    }

    private bool ValidateCertificate(object sender, System.Security.Cryptography.X509Certificates.X509Certificate? certificate, System.Security.Cryptography.X509Certificates.X509Chain? chain, SslPolicyErrors errors)
    {
        _certificatePresented |= certificate is not null;
        return _options.SkipCertificateVerification || _certificates.Validate(certificate, errors);
    }

    private System.Security.Cryptography.X509Certificates.X509Certificate SelectClientCertificate(object sender, string targetHost, System.Security.Cryptography.X509Certificates.X509CertificateCollection localCertificates, System.Security.Cryptography.X509Certificates.X509Certificate? remoteCertificate, string[] acceptableIssuers)
    {
        // SslStream also calls this before the handshake, with no server certificate yet, to pick a certificate
        // up front. Only a call during the handshake means that the server asked for one.
        if (remoteCertificate is not null)
        {
            _clientCertificateRequested = true;
        }

        var selected = _certificates.SelectClientCertificate(acceptableIssuers);
        _clientCertificateOffered |= selected is not null;

        // Null sends no certificate, which SslStream accepts although the net8.0 delegate type does not say so.
        return selected!;
    }

    private async Task<Uri> GetBaseUriAsync(CancellationToken cancellationToken)
    {
        if (_baseUri is not null)
        {
            return _baseUri;
        }

        await _probeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _baseUri ??= await ProbeAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _probeLock.Release();
        }
    }

    /// <summary>
    /// Picks the scheme. HTTPS is always tried first; plain HTTP is used only when HTTPS fails before the
    /// server presents a certificate and either <see cref="RegistryOptions.AllowPlainHttp"/> is set or the
    /// registry is on a loopback address and <see cref="RegistryOptions.AllowLoopbackPlainHttp"/> is set.
    /// </summary>
    private async Task<Uri> ProbeAsync(CancellationToken cancellationToken)
    {
        string host = Registry == Core.ImageReference.DefaultRegistry ? "registry-1.docker.io" : Registry;
        var https = new Uri($"https://{host}/");
        bool loopback = _options.AllowLoopbackPlainHttp && IsLoopback(host);
        if (!_options.AllowPlainHttp && !loopback)
        {
            return https;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            using var probe = await _http.GetAsync(new Uri(https, "/v2/"), HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            return https;
        }
        catch (HttpRequestException e) when (IsTlsFailure(e) && (_options.AllowPlainHttp || !_certificatePresented))
        {
            string reason = _options.AllowPlainHttp ? "TLS verification is off" : "it is a loopback address";
            _logger.LogInformation("registry {Registry} does not support TLS; using plain HTTP because {Reason}", Registry, reason);
            return new Uri($"http://{host}/");
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(https, e);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OciException(ErrorCodes.RegistryUnreachable, $"connecting to registry {Registry} at {https.GetLeftPart(UriPartial.Authority)} timed out after {(int)ProbeTimeout.TotalSeconds} s; check the address and that the registry runs");
        }
    }

    /// <summary>Returns true for <c>localhost</c>, 127.0.0.0/8 and <c>[::1]</c>, with or without a port.</summary>
    internal static bool IsLoopback(string registry)
    {
        string host = new Uri("https://" + registry + "/").Host;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
    }

    internal static bool IsTlsFailure(HttpRequestException e)
        => e.HttpRequestError == HttpRequestError.SecureConnectionError || e.InnerException is AuthenticationException;

    /// <summary>Builds the exception for a failed response of this registry, with a hint that fits the credentials in use.</summary>
    private Task<RegistryException> FailAsync(HttpResponseMessage response, string action, CancellationToken cancellationToken)
        => RegistryException.FromResponseAsync(response, action, _authenticator.Credentials, cancellationToken);

    private OciException Unreachable(Uri uri, HttpRequestException e)
    {
        string authority = uri.GetLeftPart(UriPartial.Authority);
        // NOTE: a connection reset before the first response, with a client certificate offered, is taken
        // for a rejected certificate. A registry that resets connections for another reason reads the same.
        bool certificateRejected = _clientCertificateOffered && _certificatePresented && !_responseReceived && e.InnerException is IOException;
        if (_clientCertificateRequested || certificateRejected)
        {
            return _certificates.ClientCertificateFailure(Registry, authority, e);
        }

        if (!IsTlsFailure(e))
        {
            return new OciException(ErrorCodes.RegistryUnreachable, $"registry {Registry} is unreachable at {authority}: {e.Message}", e);
        }

        string cause = e.InnerException?.Message ?? e.Message;
        string hint;
        if (!_certificatePresented)
        {
            hint = _options.AllowPlainHttp
                ? "the TLS handshake failed before the server sent a certificate"
                : "the server sent no certificate, so it may speak plain HTTP; to allow plain HTTP, pass --tls-verify=false (OciTlsVerify=false) or mark the registry insecure in registries.conf";
        }
        else if (_options.SkipCertificateVerification)
        {
            hint = "the TLS handshake failed even without certificate checks";
        }
        else
        {
            string certificates = _certificates.Directory is null ? "" : $" (CA certificates were read from {_certificates.Directory})";
            hint = $"the certificate is not trusted{certificates}: add its CA certificate with --cert-dir DIR (OciCertificateDirectory) or as /etc/containers/certs.d/{Registry}/ca.crt, or skip certificate checks with --tls-verify=false (OciTlsVerify=false)";
        }

        return new OciException(ErrorCodes.TlsFailure, $"TLS connection to registry {Registry} ({authority}) failed: {cause.TrimEnd('.')}; {hint}", e);
    }
}
