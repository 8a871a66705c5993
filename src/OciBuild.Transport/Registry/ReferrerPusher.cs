using System.Text;
using Microsoft.Extensions.Logging;
using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Transport.Registry;

/// <summary>
/// Attaches an artifact, such as an SBOM, to an image in a registry as an OCI 1.1 referrer: an image
/// manifest whose <c>artifactType</c> names the content, whose config is the empty descriptor, whose
/// one layer is the content, and whose <c>subject</c> is the image. For registries without the
/// referrers API it also keeps the referrers tag (<c>sha256-HEX</c>) that OCI distribution 1.1 defines.
/// </summary>
public sealed class ReferrerPusher
{
    private static readonly byte[] EmptyJson = "{}"u8.ToArray();
    private static readonly Descriptor EmptyConfig = new() { MediaType = MediaTypes.OciEmpty, Digest = Digest.Compute(EmptyJson), Size = EmptyJson.Length };

    private readonly RegistryClient _client;
    private readonly ILogger _logger;

    public ReferrerPusher(RegistryClient client, ILogger logger)
    {
        _client = client;
        _logger = logger;
    }

    /// <summary>
    /// Pushes <paramref name="content"/> and a referrer manifest for it to <paramref name="repository"/>,
    /// by digest, and returns that manifest's descriptor and the referrers tag it updated, if any.
    /// </summary>
    /// <exception cref="OciException">The referrers tag contains something other than an image index (OCIB4012), or the registry failed.</exception>
    public async Task<ReferrerPushResult> PushAsync(
        string repository,
        Descriptor subject,
        string artifactType,
        byte[] content,
        IReadOnlyDictionary<string, string>? annotations,
        CancellationToken cancellationToken)
    {
        await PushBlobsAsync(repository, artifactType, content, cancellationToken).ConfigureAwait(false);
        return await PushManifestAsync(repository, subject, artifactType, content, annotations, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Pushes the blobs of a referrer for <paramref name="content"/>: the empty config and the content. A caller
    /// can push them while it pushes the subject, then call <see cref="PushManifestAsync"/> after the subject.
    /// </summary>
    public Task PushBlobsAsync(string repository, string artifactType, byte[] content, CancellationToken cancellationToken)
        => Task.WhenAll(
            PutBlobIfMissingAsync(repository, EmptyConfig, EmptyJson, cancellationToken),
            PutBlobIfMissingAsync(repository, ContentDescriptor(artifactType, content), content, cancellationToken));

    /// <summary>
    /// Pushes the referrer manifest for <paramref name="content"/>, whose blobs <see cref="PushBlobsAsync"/> pushed,
    /// and lists it under the referrers tag when the registry does not track referrers itself.
    /// </summary>
    /// <exception cref="OciException">The referrers tag contains something other than an image index (OCIB4012), or the registry failed.</exception>
    public async Task<ReferrerPushResult> PushManifestAsync(
        string repository,
        Descriptor subject,
        string artifactType,
        byte[] content,
        IReadOnlyDictionary<string, string>? annotations,
        CancellationToken cancellationToken)
    {
        var config = EmptyConfig;
        var layer = ContentDescriptor(artifactType, content);
        var manifest = new ImageManifest
        {
            MediaType = MediaTypes.OciManifest,
            ArtifactType = artifactType,
            Config = config,
            Layers = [layer],
            Subject = subject with { Annotations = null, Platform = null, Urls = null, ExtensionData = null },
            Annotations = annotations,
        };
        byte[] bytes = OciJson.Serialize(manifest);
        var manifestContent = new ManifestContent(bytes, MediaTypes.OciManifest, Digest.Compute(bytes));
        var descriptor = manifestContent.ToDescriptor() with { ArtifactType = artifactType, Annotations = annotations };

        bool registryTracksReferrers = await _client.PutManifestWithSubjectAsync(repository, manifestContent.Digest.ToString(), manifestContent, cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("pushed referrer {Digest} ({ArtifactType}) for {Subject} to {Registry}/{Repository}", manifestContent.Digest, artifactType, subject.Digest, _client.Registry, repository);
        if (registryTracksReferrers)
        {
            return new ReferrerPushResult(descriptor, null);
        }

        // Without the OCI-Subject header the registry does not list referrers itself (docker-registry 2.8
        // is one such), so the client keeps the index under the referrers tag, as OCI distribution 1.1 requires.
        string tag = ReferrersTag(subject.Digest);
        await AddToReferrersIndexAsync(repository, tag, descriptor, cancellationToken).ConfigureAwait(false);
        return new ReferrerPushResult(descriptor, tag);
    }

    /// <summary>
    /// Returns the referrers tag of <paramref name="digest"/>: the algorithm cut to 32 characters, '-',
    /// and the encoded part cut to 64, with characters a tag cannot contain replaced by '-'.
    /// </summary>
    public static string ReferrersTag(Digest digest)
    {
        string algorithm = digest.Algorithm.Length > 32 ? digest.Algorithm[..32] : digest.Algorithm;
        string encoded = digest.Encoded.Length > 64 ? digest.Encoded[..64] : digest.Encoded;
        var tag = new StringBuilder(algorithm.Length + 1 + encoded.Length);
        foreach (char c in $"{algorithm}-{encoded}")
        {
            tag.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '-');
        }

        return tag.ToString();
    }

    private async Task AddToReferrersIndexAsync(string repository, string tag, Descriptor referrer, CancellationToken cancellationToken)
    {
        ImageIndex index;
        try
        {
            var current = await _client.GetManifestAsync(repository, tag, cancellationToken).ConfigureAwait(false);
            if (current.MediaType != MediaTypes.OciIndex)
            {
                throw new OciException(
                    ErrorCodes.ReferrersTagInvalid,
                    $"the referrers tag {_client.Registry}/{repository}:{tag} contains a {current.MediaType}, not an OCI image index, so the referrer {referrer.Digest} was pushed but not listed there. Delete or retag that tag, then publish again");
            }

            index = OciJson.Deserialize<ImageIndex>(current.Bytes, $"referrers index {_client.Registry}/{repository}:{tag}");
        }
        catch (NotFoundException)
        {
            index = new ImageIndex { MediaType = MediaTypes.OciIndex };
        }

        if (index.Manifests.Any(m => m.Digest == referrer.Digest))
        {
            _logger.LogInformation("referrers tag {Registry}/{Repository}:{Tag} already lists {Digest}", _client.Registry, repository, tag, referrer.Digest);
            return;
        }

        // NOTE: two publishes that update the same referrers tag at once can lose one entry, because
        // docker-registry offers no conditional PUT. Registries with the referrers API do not need the tag.
        var updated = index with { MediaType = MediaTypes.OciIndex, Manifests = [.. index.Manifests, referrer] };
        byte[] bytes = OciJson.Serialize(updated);
        await _client.PutManifestAsync(repository, tag, new ManifestContent(bytes, MediaTypes.OciIndex, Digest.Compute(bytes)), cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("listed referrer {Digest} under the referrers tag {Registry}/{Repository}:{Tag}", referrer.Digest, _client.Registry, repository, tag);
    }

    private static Descriptor ContentDescriptor(string artifactType, byte[] content)
        => new() { MediaType = artifactType, Digest = Digest.Compute(content), Size = content.Length };

    private async Task PutBlobIfMissingAsync(string repository, Descriptor blob, byte[] content, CancellationToken cancellationToken)
    {
        if (await _client.HasBlobAsync(repository, blob.Digest, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        // An upload sends its body once and is not retried request by request, so a transient registry failure
        // starts it again, as ImageCopier does for the image's own blobs, which upload at the same time.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                using var stream = new MemoryStream(content, writable: false);
                await _client.UploadBlobAsync(repository, blob, stream, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (OciException e) when (attempt < ImageCopier.MaxBlobAttempts && RegistryException.IsTransient(e))
            {
                _logger.LogWarning("uploading referrer blob {Digest} to {Registry}/{Repository} failed ({Message}); starting it again (attempt {Attempt} of {MaxAttempts})", blob.Digest, _client.Registry, repository, e.Message, attempt + 1, ImageCopier.MaxBlobAttempts);
                await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
