using OciBuild.Core;
using OciBuild.Transport.Layout;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Transports;

/// <summary>An image as read back from a source: its manifest, parsed manifest and config, with every blob read through.</summary>
internal sealed record ReadImage(ManifestContent Manifest, ImageManifest ParsedManifest, ImageConfig Config, Digest ConfigDigest);

/// <summary>Copies test images into destinations and reads whole images back from sources.</summary>
internal static class TransportCopies
{
    public static Task<CopyResult> WriteAsync(TestImage image, IImageDestination destination, params string[] tags)
        => new ImageCopier().CopyAsync(new MemoryImageSource(image), destination, tags, platform: null, CancellationToken.None);

    /// <summary>Writes an OCI index over <paramref name="images"/> into the layout at <paramref name="layoutPath"/> under <paramref name="tag"/> and returns the index.</summary>
    public static async Task<ManifestContent> WriteIndexAsync(string layoutPath, string tag, params TestImage[] images)
    {
        var index = await MemoryImageSource.WithIndex(images).GetManifestAsync(null, CancellationToken.None);
        var layout = new OciLayout(layoutPath);
        layout.EnsureCreated();
        foreach (var image in images)
        {
            foreach (var (digest, blob) in image.Blobs)
            {
                await layout.WriteBlobAsync(digest, blob, CancellationToken.None);
            }

            await layout.WriteBlobAsync(image.Manifest.Digest, image.Manifest.Bytes, CancellationToken.None);
        }

        await new OciLayoutDestination(layoutPath).PutManifestAsync(index, tag, CancellationToken.None);
        return index;
    }

    /// <summary>Reads the manifest for this machine's platform, the config and every layer to its end, so each blob's digest is checked.</summary>
    public static async Task<ReadImage> ReadAsync(IImageSource source)
    {
        var manifest = await ImageCopier.ResolveManifestAsync(source, new Platform { Architecture = "amd64", Os = "linux" }, CancellationToken.None);
        var parsed = OciJson.Deserialize<ImageManifest>(manifest.Bytes, "manifest");
        byte[] configBytes;
        await using (var config = await source.OpenBlobAsync(parsed.Config, CancellationToken.None))
        using (var buffer = new MemoryStream())
        {
            await config.CopyToAsync(buffer);
            configBytes = buffer.ToArray();
        }

        foreach (var layer in parsed.Layers)
        {
            await using var content = await source.OpenBlobAsync(layer, CancellationToken.None);
            await content.CopyToAsync(Stream.Null);
        }

        return new ReadImage(manifest, parsed, OciJson.Deserialize<ImageConfig>(configBytes, "config"), Digest.Compute(configBytes));
    }
}
