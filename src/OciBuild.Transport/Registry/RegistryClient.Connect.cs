using Microsoft.Extensions.Logging;

namespace OciBuild.Transport.Registry;

public sealed partial class RegistryClient
{
    /// <summary>
    /// Chooses the scheme and opens a connection, so that a caller who starts this before other work (building
    /// layers, for example) finds the registry ready for its first request. The returned task fails only with
    /// OutOfMemoryException. Other failures are logged at debug level, because the first request probes again
    /// and reports them.
    /// </summary>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            // NOTE: for a plain-HTTP registry the failed HTTPS attempt still sets up TLS in every fresh process.
            // That is most of this method's time (about 50 ms on a loaded 2-core machine, an estimate from -v:d
            // phase times). Remembering the scheme between publishes would need a check that it still holds.
            Uri baseUri = await GetBaseUriAsync(cancellationToken).ConfigureAwait(false);

            // An HTTPS probe leaves its connection in the pool. After a fallback to plain HTTP the pool is
            // empty, so an unauthenticated ping opens a connection that the first request can reuse.
            if (baseUri.Scheme == Uri.UriSchemeHttp)
            {
                using var response = await _http.GetAsync(new Uri(baseUri, "/v2/"), HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                _logger.LogDebug("GET {Uri} -> {Status} (connecting early)", new Uri(baseUri, "/v2/"), (int)response.StatusCode);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogDebug("connecting early to registry {Registry} failed: {Message}", Registry, e.Message);
        }
    }
}
