using OciBuild.Core;

namespace OciBuild.Tasks;

/// <summary>
/// What a publish wrote: the references it tagged and the digests a CI pipeline pins. For a
/// multi-platform publish, the manifest digest and media type are the index's, and there is no
/// single config digest.
/// </summary>
public sealed record PublishResult(IReadOnlyList<string> References, Digest ManifestDigest, Digest? ConfigDigest, string ManifestMediaType);
