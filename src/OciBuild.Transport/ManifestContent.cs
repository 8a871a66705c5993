using OciBuild.Core;

namespace OciBuild.Transport;

/// <summary>A manifest or index exactly as stored, with its media type and the digest of those bytes.</summary>
public sealed record ManifestContent(byte[] Bytes, string MediaType, Digest Digest)
{
    public static ManifestContent FromBytes(byte[] bytes, string? mediaTypeHint)
    {
        string mediaType = OciJson.PeekMediaType(bytes) ?? mediaTypeHint ?? MediaTypes.OciManifest;
        return new ManifestContent(bytes, mediaType, Digest.Compute(bytes));
    }

    public bool IsIndex => MediaTypes.IsIndex(MediaType);

    public Descriptor ToDescriptor() => new() { MediaType = MediaType, Digest = Digest, Size = Bytes.LongLength };
}
