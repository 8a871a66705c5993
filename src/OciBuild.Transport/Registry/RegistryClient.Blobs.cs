using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Storage;

namespace OciBuild.Transport.Registry;

public sealed partial class RegistryClient
{
    // Without a buffer size, StreamContent copies a request body with Stream.CopyToAsync's default
    // buffer of 80 KiB. A larger buffer takes fewer reads and socket writes for a big blob.
    internal const int RequestBodyBufferSize = 256 * 1024;

    public async Task<bool> HasBlobAsync(string repository, Digest digest, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(
            baseUri => new HttpRequestMessage(HttpMethod.Head, new Uri(baseUri, $"/v2/{repository}/blobs/{digest}")),
            // HEAD needs only pull rights, but asking for push as well lets one token serve the whole upload.
            PushScope(repository),
            idempotent: true,
            cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await FailAsync(response, $"checking blob {digest} in {Registry}/{repository}", cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Opens a blob for reading; the stream verifies digest and size when it reaches the end.</summary>
    public async Task<Stream> OpenBlobAsync(string repository, Descriptor blob, CancellationToken cancellationToken)
    {
        string action = $"reading blob {blob.Digest} from {Registry}/{repository}";
        var response = await SendAsync(
            baseUri => new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, $"/v2/{repository}/blobs/{blob.Digest}")),
            PullScope(repository),
            idempotent: true,
            cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            response.Dispose();
            throw new NotFoundException(ErrorCodes.BlobNotFound, $"{action}: the registry has no such blob");
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await FailAsync(response, action, cancellationToken).ConfigureAwait(false);
            }
        }

        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return new VerifyingStream(new ResponseStream(body, response), blob.Digest, blob.Size, action);
    }

    /// <summary>
    /// Asks the registry to link a blob from another repository of the same registry. Returns false
    /// when the registry answered with an upload session instead (it lacks the blob or refuses mounts).
    /// </summary>
    public async Task<bool> MountBlobAsync(string repository, Digest digest, string fromRepository, CancellationToken cancellationToken)
    {
        string scope = $"{PushScope(repository)} {PullScope(fromRepository)}";
        using var response = await SendAsync(
            baseUri => new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, $"/v2/{repository}/blobs/uploads/?mount={digest}&from={fromRepository}")),
            scope,
            idempotent: true,
            cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            return true;
        }

        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            // An unused upload session expires on the registry's side; cancelling it costs a round trip.
            return false;
        }

        throw await FailAsync(response, $"mounting blob {digest} from {fromRepository} into {Registry}/{repository}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Uploads a blob read from <paramref name="content"/>: one PUT for blobs up to the chunk size,
    /// PATCH chunks of that size otherwise. The content is streamed, never held in memory whole. When a
    /// chunk fails on the network or with a retryable status, and <paramref name="content"/> can seek, the
    /// upload resumes from the offset the registry reports.
    /// </summary>
    public async Task UploadBlobAsync(string repository, Descriptor blob, Stream content, CancellationToken cancellationToken)
    {
        string action = $"uploading blob {blob.Digest} to {Registry}/{repository}";
        string scope = PushScope(repository);
        Uri location = await StartUploadAsync(repository, scope, action, cancellationToken).ConfigureAwait(false);

        long chunkSize = _options.ChunkSize > 0 ? _options.ChunkSize : long.MaxValue;
        long offset = 0;
        if (blob.Size > chunkSize)
        {
            var upload = new ChunkedUpload(this, location, content, scope, action, _logger);
            offset = await upload.SendAsync(blob.Size, chunkSize, cancellationToken).ConfigureAwait(false);
            location = upload.Location;
        }

        long remaining = blob.Size - offset;
        string separator = location.Query.Length > 0 ? "&" : "?";
        var finish = new Uri(location.AbsoluteUri + separator + "digest=" + Uri.EscapeDataString(blob.Digest.ToString()));
        using var response = await SendAsync(
            _ =>
            {
                var request = new HttpRequestMessage(HttpMethod.Put, finish) { Content = new StreamContent(new SubStream(content, remaining), RequestBodyBufferSize) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                request.Content.Headers.ContentLength = remaining;
                return request;
            },
            scope,
            idempotent: false,
            cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw await FailAsync(response, action, cancellationToken).ConfigureAwait(false);
        }

        CheckDigestHeader(response, blob.Digest, action);
        _logger.LogDebug("uploaded blob {Digest} ({Size} bytes) to {Registry}/{Repository}", blob.Digest, blob.Size, Registry, repository);
    }

    /// <summary>Fails when the registry's <c>Docker-Content-Digest</c> header, which is optional, names other content than <paramref name="expected"/>.</summary>
    internal static void CheckDigestHeader(HttpResponseMessage response, Digest expected, string action)
    {
        if (!response.Headers.TryGetValues("Docker-Content-Digest", out var values))
        {
            return;
        }

        string reported = values.First();
        if (!Digest.TryParse(reported, out var digest) || digest != expected)
        {
            throw new OciException(ErrorCodes.DigestMismatch, $"{action}: the registry reports digest {reported}, but the content hashes to {expected}");
        }
    }

    internal async Task<Uri> StartUploadAsync(string repository, string scope, string action, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(
            baseUri => new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, $"/v2/{repository}/blobs/uploads/")),
            scope,
            idempotent: true,
            cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw await FailAsync(response, action, cancellationToken).ConfigureAwait(false);
        }

        return ResolveLocation(response, action);
    }

    /// <summary>Sends one PATCH chunk; returns the response, which the caller checks and disposes.</summary>
    internal Task<HttpResponseMessage> PatchChunkAsync(Uri location, Stream content, long offset, long length, string scope, CancellationToken cancellationToken)
        => SendAsync(
            _ =>
            {
                var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new StreamContent(new SubStream(content, length), RequestBodyBufferSize) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                request.Content.Headers.ContentLength = length;
                // The distribution spec wants the bare "start-end" form here, not RFC 9110's "bytes start-end/total".
                request.Content.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + length - 1}");
                return request;
            },
            scope,
            idempotent: false,
            cancellationToken);

    /// <summary>Asks the registry how much of an upload it has, with <c>GET</c> on the upload's location.</summary>
    internal Task<HttpResponseMessage> GetUploadStatusAsync(Uri location, string scope, CancellationToken cancellationToken)
        => SendAsync(_ => new HttpRequestMessage(HttpMethod.Get, location), scope, idempotent: true, cancellationToken);

    internal Task<RegistryException> FailUploadAsync(HttpResponseMessage response, string action, CancellationToken cancellationToken)
        => FailAsync(response, action, cancellationToken);

    internal static Uri ResolveLocation(HttpResponseMessage response, string action)
    {
        var location = response.Headers.Location
                       ?? throw new OciException(ErrorCodes.RegistryError, $"{action}: the registry started an upload without a Location header");
        return location.IsAbsoluteUri ? location : new Uri(response.RequestMessage!.RequestUri!, location);
    }
}
