namespace OciBuild.Layers;

/// <summary>The compression of the layer blobs that <see cref="LayerBuilder"/> writes.</summary>
public enum LayerCompressionFormat
{
    /// <summary>gzip, media type <c>application/vnd.oci.image.layer.v1.tar+gzip</c>, which every runtime reads.</summary>
    Gzip,

    /// <summary>
    /// Zstandard, media type <c>application/vnd.oci.image.layer.v1.tar+zstd</c>: smaller blobs that
    /// decompress faster, read by containerd 1.5+, Podman and CRI-O, but not by older Docker engines.
    /// </summary>
    Zstd,
}
