using System.Net;
using OciBuild.Core.Errors;

namespace OciBuild.Transport.Registry;

public sealed partial class RegistryClient
{
    /// <summary>
    /// Checks that the registry accepts the configured credentials, with <c>GET /v2/</c> and whatever
    /// challenge it answers; for a token service, the token is requested without a scope.
    /// </summary>
    public async Task CheckCredentialsAsync(CancellationToken cancellationToken)
    {
        var credentials = await _authenticator.ResolveCredentialsAsync(cancellationToken).ConfigureAwait(false);
        string user = credentials is null ? "anonymous access" : $"user \"{credentials.UserName}\"{RegistryAuthenticator.SourceSuffix(credentials)}";
        using var response = await SendAsync(baseUri => new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, "/v2/")), scope: "", idempotent: true, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new RegistryException(ErrorCodes.RegistryUnauthorized, $"registry {Registry} rejected {user}: {(int)response.StatusCode} {response.ReasonPhrase}; check the user name and password", response.StatusCode);
        }

        throw await FailAsync(response, $"logging in to {Registry} as {user}", cancellationToken).ConfigureAwait(false);
    }
}
