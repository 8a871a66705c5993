using OciBuild.Core;

namespace OciBuild.Transport;

/// <summary>What a copy wrote: the manifest's digest and media type, and the image ID (config digest).</summary>
public sealed record CopyResult(Digest ManifestDigest, string ManifestMediaType, Digest ConfigDigest, long Size);
