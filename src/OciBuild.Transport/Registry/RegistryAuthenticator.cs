using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OciBuild.Core.Errors;
using OciBuild.Transport.Credentials;

namespace OciBuild.Transport.Registry;

/// <summary>
/// Answers a registry's authentication challenges: Basic with the configured credentials, or Bearer
/// with a token from the challenge's realm for the requested scope (distribution token spec). Tokens
/// are kept per scope until shortly before they expire.
/// </summary>
internal sealed class RegistryAuthenticator
{
    private readonly HttpClient _client;
    private readonly string _registry;
    private readonly CredentialResolver? _resolver;
    private readonly SemaphoreSlim _resolveLock = new(1, 1);
    private readonly ILogger _logger;
    private RegistryCredentials? _credentials;
    private bool _credentialsResolved;
    private readonly ConcurrentDictionary<string, (AuthenticationHeaderValue Header, DateTimeOffset Expires)> _tokens = new();
    private AuthChallenge? _challenge;

    public RegistryAuthenticator(HttpClient client, string registry, RegistryCredentials? credentials, CredentialResolver? resolver, ILogger logger)
    {
        _client = client;
        _registry = registry;
        _credentials = credentials;
        _credentialsResolved = credentials is not null || resolver is null;
        _resolver = resolver;
        _logger = logger;
    }

    /// <summary>The credentials in use: the explicit ones, or those found once the registry first asked for some.</summary>
    public RegistryCredentials? Credentials => _credentials;

    /// <summary>Looks the credentials up in the stored sources the first time a registry asks for them.</summary>
    public async Task<RegistryCredentials?> ResolveCredentialsAsync(CancellationToken cancellationToken)
    {
        if (_credentialsResolved)
        {
            return _credentials;
        }

        await _resolveLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_credentialsResolved)
            {
                _credentials = await _resolver!.FindAsync(_registry, cancellationToken).ConfigureAwait(false);
                _credentialsResolved = true;
            }

            return _credentials;
        }
        finally
        {
            _resolveLock.Release();
        }
    }

    /// <summary>Returns the header to send for <paramref name="scope"/>, or null before the registry has asked for any.</summary>
    public AuthenticationHeaderValue? GetCachedHeader(string scope)
    {
        if (_challenge is null)
        {
            return null;
        }

        if (IsBasic(_challenge))
        {
            return BasicHeader();
        }

        return _tokens.TryGetValue(scope, out var token) && token.Expires > DateTimeOffset.UtcNow ? token.Header : null;
    }

    /// <summary>Reads the challenge of a 401 answer and returns the header to retry with, or null when there is nothing to try.</summary>
    public async Task<AuthenticationHeaderValue?> AnswerAsync(HttpResponseMessage unauthorized, string scope, CancellationToken cancellationToken)
    {
        var challenge = unauthorized.Headers.WwwAuthenticate
            .Select(h => AuthChallenge.Parse(h.ToString()))
            .FirstOrDefault(c => c is not null);
        if (challenge is null)
        {
            return null;
        }

        await ResolveCredentialsAsync(cancellationToken).ConfigureAwait(false);
        _challenge = challenge;
        if (IsBasic(challenge))
        {
            if (_credentials is { IsIdentityToken: true })
            {
                throw new OciException(ErrorCodes.IdentityTokenNotAccepted, $"registry {_registry} asks for Basic authentication, but the credentials{SourceSuffix(_credentials)} are an identity token, which only a Bearer token service accepts; log in with a user name and password, or pass --creds or OciCreds");
            }

            return BasicHeader();
        }

        if (!challenge.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) || challenge.Realm is null)
        {
            throw new OciException(ErrorCodes.RegistryUnauthorized, $"registry {_registry} asks for authentication scheme \"{challenge.Scheme}\", which is not supported (Basic and Bearer are)");
        }

        return await FetchTokenAsync(challenge, scope, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Returns " (from SOURCE)" for stored credentials, for messages that help find the wrong entry.</summary>
    internal static string SourceSuffix(RegistryCredentials credentials)
        => credentials.Source is null ? "" : $" (from {credentials.Source})";

    private static bool IsBasic(AuthChallenge challenge) => challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    private AuthenticationHeaderValue? BasicHeader()
    {
        if (_credentials is null)
        {
            return null;
        }

        string encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_credentials.UserName}:{_credentials.Password}"));
        return new AuthenticationHeaderValue("Basic", encoded);
    }

    private async Task<AuthenticationHeaderValue> FetchTokenAsync(AuthChallenge challenge, string scope, CancellationToken cancellationToken)
    {
        using var request = _credentials is { IsIdentityToken: true } ? RefreshTokenRequest(challenge, scope, _credentials) : TokenRequest(challenge, scope);
        _logger.LogDebug("requesting a token from {Realm} for {Scope} ({Mode})", challenge.Realm, scope, Who(_credentials));

        using var response = await _client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            string requester = _credentials is null ? "anonymous access" : $"{Who(_credentials)}{SourceSuffix(_credentials)}";
            throw new OciException(ErrorCodes.RegistryUnauthorized, $"the token service of {_registry} rejected {requester} for {scope}: {(int)response.StatusCode} {response.ReasonPhrase}; check the credentials or run `ocibuild login {_registry}`");
        }

        return await ReadTokenAsync(response, scope, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Builds the token request that all token services take: a GET with the scopes in the query, and Basic credentials when there are any.</summary>
    private HttpRequestMessage TokenRequest(AuthChallenge challenge, string scope)
    {
        var query = new List<string>();
        if (challenge.Service is not null)
        {
            query.Add("service=" + Uri.EscapeDataString(challenge.Service));
        }

        foreach (string part in scope.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            query.Add("scope=" + Uri.EscapeDataString(part));
        }

        string separator = challenge.Realm!.Contains('?') ? "&" : "?";
        var request = new HttpRequestMessage(HttpMethod.Get, challenge.Realm + separator + string.Join("&", query));
        request.Headers.Authorization = BasicHeader();
        return request;
    }

    /// <summary>
    /// Builds the OAuth2 request of distribution's token specification that trades an identity (refresh) token
    /// for an access token: a form POST to the realm with <c>grant_type=refresh_token</c>.
    /// </summary>
    private static HttpRequestMessage RefreshTokenRequest(AuthChallenge challenge, string scope, RegistryCredentials credentials)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = credentials.Password,
            ["client_id"] = "ocibuild",
            ["scope"] = scope,
        };
        if (challenge.Service is not null)
        {
            form["service"] = challenge.Service;
        }

        return new HttpRequestMessage(HttpMethod.Post, challenge.Realm) { Content = new FormUrlEncodedContent(form) };
    }

    private static string Who(RegistryCredentials? credentials) => credentials switch
    {
        null => "anonymous",
        { IsIdentityToken: true } => "the identity token",
        _ => $"user \"{credentials.UserName}\"",
    };

    private async Task<AuthenticationHeaderValue> ReadTokenAsync(HttpResponseMessage response, string scope, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        string? token = document.RootElement.TryGetProperty("token", out var t) ? t.GetString()
            : document.RootElement.TryGetProperty("access_token", out var a) ? a.GetString() : null;
        if (string.IsNullOrEmpty(token))
        {
            throw new OciException(ErrorCodes.RegistryUnauthorized, $"the token service of {_registry} returned a response without a token");
        }

        int lifetime = document.RootElement.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out int seconds) ? seconds : 60;
        var header = new AuthenticationHeaderValue("Bearer", token);
        // Renew ten seconds early so that a token never expires between check and use.
        _tokens[scope] = (header, DateTimeOffset.UtcNow.AddSeconds(Math.Max(lifetime - 10, 1)));
        return header;
    }
}
