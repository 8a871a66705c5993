using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using OciBuild.Core.Errors;
using Polly;
using Polly.Retry;

namespace OciBuild.Transport.Registry;

/// <summary>
/// A client for one registry over the OCI distribution API. It chooses HTTPS (or, only when TLS
/// verification is off, plain HTTP after HTTPS fails), answers authentication challenges, and retries
/// idempotent requests on network faults and 5xx/429 answers. The API calls live in the partial files
/// beside this one.
/// </summary>
public sealed partial class RegistryClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly RegistryOptions _options;
    private readonly ILogger _logger;
    private readonly RegistryAuthenticator _authenticator;
    private readonly ResiliencePipeline<HttpResponseMessage> _retry;
    private readonly SemaphoreSlim _probeLock = new(1, 1);
    private Uri? _baseUri;

    public RegistryClient(string registry, RegistryOptions options)
    {
        Registry = registry;
        _options = options;
        _logger = options.Logger;

        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(15),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
        };
        if (!options.TlsVerify)
        {
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true };
        }

        // Blob transfers may take long; each call passes its own cancellation instead of a global timeout.
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("ocibuild/0.1");
        _authenticator = new RegistryAuthenticator(_http, registry, options.Credentials, _logger);
        _retry = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = 3,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(250),
                UseJitter = true,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .HandleResult(r => (int)r.StatusCode >= 500 || r.StatusCode == HttpStatusCode.TooManyRequests),
                OnRetry = arguments =>
                {
                    string cause = arguments.Outcome.Exception?.Message ?? $"status {(int)arguments.Outcome.Result!.StatusCode}";
                    _logger.LogWarning("retrying a request to {Registry} in {Delay} ms after {Cause}", Registry, (int)arguments.RetryDelay.TotalMilliseconds, cause);
                    arguments.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
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

    private async Task<HttpResponseMessage> SendOnceAsync(Func<Uri, HttpRequestMessage> createRequest, Uri baseUri, System.Net.Http.Headers.AuthenticationHeaderValue? authorization, bool idempotent, CancellationToken cancellationToken)
    {
        async ValueTask<HttpResponseMessage> Send(CancellationToken token)
        {
            using var request = createRequest(baseUri);
            request.Headers.Authorization = authorization;
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
            // Log the method and path only: headers carry credentials and are never written out.
            _logger.LogDebug("{Method} {Uri} -> {Status}", request.Method, request.RequestUri, (int)response.StatusCode);
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

    private async Task<Uri> GetBaseUriAsync(CancellationToken cancellationToken)
    {
        if (_baseUri is not null)
        {
            return _baseUri;
        }

        await _probeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_baseUri is not null)
            {
                return _baseUri;
            }

            string host = Registry == Core.ImageReference.DefaultRegistry ? "registry-1.docker.io" : Registry;
            var https = new Uri($"https://{host}/");
            if (_options.TlsVerify)
            {
                return _baseUri = https;
            }

            // With verification off, HTTPS is still tried first, and plain HTTP only when TLS fails.
            try
            {
                using var probe = await _http.GetAsync(new Uri(https, "/v2/"), HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                return _baseUri = https;
            }
            catch (HttpRequestException e) when (e.InnerException is AuthenticationException or IOException || e.HttpRequestError == HttpRequestError.SecureConnectionError)
            {
                _logger.LogInformation("registry {Registry} does not speak TLS; using plain HTTP because TLS verification is off", Registry);
                return _baseUri = new Uri($"http://{host}/");
            }
            catch (HttpRequestException e)
            {
                throw Unreachable(https, e);
            }
        }
        finally
        {
            _probeLock.Release();
        }
    }

    /// <summary>Builds the exception for a failed response of this registry, with a hint that fits the configured credentials.</summary>
    private Task<RegistryException> FailAsync(HttpResponseMessage response, string action, CancellationToken cancellationToken)
        => RegistryException.FromResponseAsync(response, action, _options.Credentials is not null, cancellationToken);

    private OciException Unreachable(Uri uri, HttpRequestException e)
    {
        if (e.InnerException is AuthenticationException || e.HttpRequestError == HttpRequestError.SecureConnectionError)
        {
            string hint = _options.TlsVerify
                ? "if the registry uses a self-signed certificate or plain HTTP, pass --tls-verify=false (OciTlsVerify=false)"
                : "the TLS handshake failed even without certificate checks";
            return new OciException(ErrorCodes.TlsFailure, $"TLS connection to registry {Registry} ({uri.GetLeftPart(UriPartial.Authority)}) failed: {e.InnerException?.Message ?? e.Message}; {hint}", e);
        }

        return new OciException(ErrorCodes.RegistryUnreachable, $"registry {Registry} is unreachable at {uri.GetLeftPart(UriPartial.Authority)}: {e.Message}", e);
    }
}
