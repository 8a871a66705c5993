using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using OciBuild.Core;
using OciBuild.Core.IO;

namespace OciBuild.Transport.Registry;

/// <summary>
/// An upload session that receives a blob whose size and digest are not known yet: the content goes in
/// one streamed <c>PATCH</c> (chunked transfer encoding, no <c>Content-Length</c> or <c>Content-Range</c>),
/// and a <c>PUT ?digest=</c> with an empty body commits it once the digest is known.
/// </summary>
/// <remarks>
/// The OCI distribution spec 1.1 describes each <c>PATCH</c> with <c>Content-Range</c> and <c>Content-Length</c>.
/// The streamed form comes from the Docker Registry HTTP API V2 ("stream upload"), which distribution's
/// registry (Debian's docker-registry) accepts. A registry that rejects it fails <see cref="SendAsync"/>,
/// and the caller has to upload the blob another way.
/// </remarks>
public sealed class StreamedBlobUpload
{
    private readonly RegistryClient _client;
    private readonly string _repository;
    private readonly string _scope;
    private Uri _location;

    private StreamedBlobUpload(RegistryClient client, string repository, string scope, Uri location)
    {
        _client = client;
        _repository = repository;
        _scope = scope;
        _location = location;
    }

    /// <summary>Starts an upload session in <paramref name="repository"/>, authenticating for push.</summary>
    public static async Task<StreamedBlobUpload> StartAsync(RegistryClient client, string repository, CancellationToken cancellationToken)
    {
        string scope = RegistryClient.PushScope(repository);
        Uri location = await client.StartUploadAsync(repository, scope, $"starting an upload in {client.Registry}/{repository}", cancellationToken).ConfigureAwait(false);
        return new StreamedBlobUpload(client, repository, scope, location);
    }

    /// <summary>
    /// Sends everything <paramref name="content"/> returns until its end in one <c>PATCH</c>; returns the
    /// byte count that the registry reports stored, or -1 when it reports none. <paramref name="content"/> stays open.
    /// </summary>
    public async Task<long> SendAsync(Stream content, CancellationToken cancellationToken)
    {
        string action = $"streaming a blob to {_client.Registry}/{_repository}";
        using var response = await _client.SendAsync(
            _ =>
            {
                // A stream that cannot seek has no length, so HttpClient sends the body with chunked transfer encoding.
                var request = new HttpRequestMessage(HttpMethod.Patch, _location) { Content = new StreamContent(new LeaveOpenStream(content), RegistryClient.RequestBodyBufferSize) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                return request;
            },
            _scope,
            idempotent: false,
            cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw await _client.FailUploadAsync(response, action, cancellationToken).ConfigureAwait(false);
        }

        _location = RegistryClient.ResolveLocation(response, action);
        return ChunkedUpload.RangeEnd(response) + 1 ?? -1;
    }

    /// <summary>Commits the bytes sent so far as the blob <paramref name="digest"/>; the registry checks that they hash to it.</summary>
    public async Task CommitAsync(Digest digest, CancellationToken cancellationToken)
    {
        string action = $"committing blob {digest} in {_client.Registry}/{_repository}";
        string separator = _location.Query.Length > 0 ? "&" : "?";
        var commit = new Uri(_location.AbsoluteUri + separator + "digest=" + Uri.EscapeDataString(digest.ToString()));
        using var response = await _client.SendAsync(
            _ => new HttpRequestMessage(HttpMethod.Put, commit) { Content = new ByteArrayContent([]) },
            _scope,
            idempotent: false,
            cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw await _client.FailUploadAsync(response, action, cancellationToken).ConfigureAwait(false);
        }

        RegistryClient.CheckDigestHeader(response, digest, action);
    }

    /// <summary>
    /// Deletes the session and what it stored. Failures are only logged, because the registry expires
    /// unfinished sessions on its own.
    /// </summary>
    public async Task CancelAsync(ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _client.SendAsync(_ => new HttpRequestMessage(HttpMethod.Delete, _location), _scope, idempotent: true, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotFound)
            {
                logger.LogDebug("cancelling an upload session in {Registry}/{Repository} returned status {Status}; the registry expires it later", _client.Registry, _repository, (int)response.StatusCode);
            }
        }
        catch (Core.Errors.OciException e)
        {
            logger.LogDebug("cancelling an upload session in {Registry}/{Repository} failed ({Message}); the registry expires it later", _client.Registry, _repository, e.Message);
        }
    }

    /// <summary>Passes reads through and leaves the inner stream open, because disposing a request disposes its content.</summary>
    private sealed class LeaveOpenStream(Stream inner) : ReadOnlyStream
    {
        public override int Read(Span<byte> buffer) => inner.Read(buffer);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
    }
}
