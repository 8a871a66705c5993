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
            // For a plain-HTTP registry the failed HTTPS attempt sets up TLS in every fresh process. Because this
            // runs beside the layer builds, skipping the attempt altogether did not shorten an app-change publish
            // of the benchmark (four alternating pairs on an idle 2-core machine), so the scheme is not remembered.
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
