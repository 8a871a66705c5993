using OciBuild.Core;

namespace OciBuild.Layers;

/// <summary>A finished layer blob: the digest of its uncompressed tar (diff ID), its blob digest and size.</summary>
public sealed record BuiltLayer(Digest DiffId, Digest Digest, long Size, string MediaType);
