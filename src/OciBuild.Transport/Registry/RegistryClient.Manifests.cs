using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Transport.Registry;

public sealed partial class RegistryClient
{
    /// <summary>Fetches a manifest or index by tag or digest. A fetch by digest is verified against that digest.</summary>
    public async Task<ManifestContent> GetManifestAsync(string repository, string tagOrDigest, CancellationToken cancellationToken)
    {
        string action = $"reading manifest {Registry}/{repository}:{tagOrDigest}";
        using var response = await SendAsync(
            baseUri => ManifestRequest(HttpMethod.Get, baseUri, repository, tagOrDigest),
            PullScope(repository),
            idempotent: true,
            cancellationToken).ConfigureAwait(false);

        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new NotFoundException(ErrorCodes.ImageNotFound, $"image {Registry}/{repository}:{tagOrDigest} not found: the registry has no such manifest");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await FailAsync(response, action, cancellationToken).ConfigureAwait(false);
        }

        long? length = response.Content.Headers.ContentLength;
        if (length > OciJson.MaxDocumentSize)
        {
            throw new OciException(ErrorCodes.InvalidManifest, $"{action}: the manifest is {length} bytes, over the limit of {OciJson.MaxDocumentSize}");
        }

        byte[] bytes = await ReadLimitedAsync(response.Content, OciJson.MaxDocumentSize, action, cancellationToken).ConfigureAwait(false);
        var content = ManifestContent.FromBytes(bytes, response.Content.Headers.ContentType?.MediaType);
        if (Digest.TryParse(tagOrDigest, out var requested) && requested != content.Digest)
        {
            throw new DigestMismatchException(action, requested, content.Digest);
        }

        // The digest always comes from the bytes; the optional header only has to agree with them.
        CheckDigestHeader(response, content.Digest, action);
        return content;
    }

    /// <summary>
    /// Returns the digest that <paramref name="tag"/> names, from the <c>Docker-Content-Digest</c> header of
    /// a <c>HEAD</c> request; null when the tag does not exist, the registry sends no such header, or it
    /// fails the request. The caller writes the manifest then, and that request reports any real failure.
    /// </summary>
    public async Task<Digest?> GetManifestDigestAsync(string repository, string tag, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(
            baseUri => ManifestRequest(HttpMethod.Head, baseUri, repository, tag),
            // As for blobs, asking for push rights too lets one token serve the manifest PUT that may follow.
            PushScope(repository),
            idempotent: true,
            cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            _logger.LogDebug("checking manifest {Registry}/{Repository}:{Tag} returned status {Status}; writing it without the check", Registry, repository, tag, (int)response.StatusCode);
            return null;
        }

        return response.Headers.TryGetValues("Docker-Content-Digest", out var values) && Digest.TryParse(values.First(), out var digest)
            ? digest
            : null;
    }

    /// <summary>Stores a manifest under a tag (or its digest). Returns the digest of the bytes sent.</summary>
    public async Task<Digest> PutManifestAsync(string repository, string tag, ManifestContent manifest, CancellationToken cancellationToken)
    {
        await PutManifestWithSubjectAsync(repository, tag, manifest, cancellationToken).ConfigureAwait(false);
        return manifest.Digest;
    }

    /// <summary>
    /// Stores a manifest under a tag (or its digest), and returns true when the registry responded with
    /// the <c>OCI-Subject</c> header. Registries that implement the referrers API send it for a manifest
    /// with a <c>subject</c> field; without it the client has to keep the referrers tag up to date itself.
    /// </summary>
    public async Task<bool> PutManifestWithSubjectAsync(string repository, string tag, ManifestContent manifest, CancellationToken cancellationToken)
    {
        string action = $"writing manifest {Registry}/{repository}:{tag}";
        using var response = await SendAsync(
            baseUri =>
            {
                var request = new HttpRequestMessage(HttpMethod.Put, new Uri(baseUri, $"/v2/{repository}/manifests/{tag}"))
                {
                    Content = new ByteArrayContent(manifest.Bytes),
                };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(manifest.MediaType);
                return request;
            },
            PushScope(repository),
            idempotent: true,
            cancellationToken).ConfigureAwait(false);

        if (!response.IsSuccessStatusCode)
        {
            throw await FailAsync(response, action, cancellationToken).ConfigureAwait(false);
        }

        CheckDigestHeader(response, manifest.Digest, action);
        return response.Headers.Contains("OCI-Subject");
    }

    private static HttpRequestMessage ManifestRequest(HttpMethod method, Uri baseUri, string repository, string tagOrDigest)
    {
        var request = new HttpRequestMessage(method, new Uri(baseUri, $"/v2/{repository}/manifests/{tagOrDigest}"));
        foreach (string mediaType in MediaTypes.ManifestAccept)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
        }

        return request;
    }

    internal static string PullScope(string repository) => $"repository:{repository}:pull";

    internal static string PushScope(string repository) => $"repository:{repository}:pull,push";

    private static async Task<byte[]> ReadLimitedAsync(HttpContent content, int limit, string action, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit)
            {
                throw new OciException(ErrorCodes.InvalidManifest, $"{action}: the document is over the limit of {limit} bytes");
            }
        }

        return buffer.ToArray();
    }
}
