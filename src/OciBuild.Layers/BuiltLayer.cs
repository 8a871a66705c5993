using OciBuild.Core;

namespace OciBuild.Layers;

/// <summary>
/// The identity of a layer blob that <see cref="LayerBuilder"/> wrote.
/// </summary>
/// <param name="DiffId">sha256 of the uncompressed tar, as listed in the image config's <c>rootfs.diff_ids</c>.</param>
/// <param name="Digest">sha256 of the compressed blob, as listed in the manifest's layer descriptor.</param>
/// <param name="Size">Length of the compressed blob in bytes.</param>
/// <param name="MediaType">The blob's media type, <see cref="MediaTypes.OciLayerGzip"/> or <see cref="MediaTypes.OciLayerZstd"/>.</param>
public sealed record BuiltLayer(Digest DiffId, Digest Digest, long Size, string MediaType)
{
    /// <summary>Returns the manifest descriptor for this layer.</summary>
    public Descriptor ToDescriptor() => new() { MediaType = MediaType, Digest = Digest, Size = Size };
}
