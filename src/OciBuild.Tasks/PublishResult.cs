using OciBuild.Core;

namespace OciBuild.Tasks;

/// <summary>What a publish wrote: the references it tagged and the digests a CI pipeline pins.</summary>
public sealed record PublishResult(IReadOnlyList<string> References, Digest ManifestDigest, Digest ConfigDigest, string ManifestMediaType);
