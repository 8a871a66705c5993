using System.Text;
using OciBuild.Core;
using OciBuild.Core.Errors;
using OciBuild.Transport.Registry;
using OciBuild.Transport.Tests.Support;

namespace OciBuild.Transport.Tests.Integration;

/// <summary>
/// Referrers pushed to Debian's docker-registry 2.8, which has no referrers API and sends no
/// OCI-Subject header, so every push also maintains the referrers tag.
/// </summary>
[Collection(PlainRegistryCollection.Name)]
public sealed class ReferrerPusherTests
{
    private const string SbomType = "application/spdx+json";
    private const string SignatureType = "application/vnd.example.signature";

    private readonly PlainRegistryFixture _registry;

    public ReferrerPusherTests(PlainRegistryFixture registry)
    {
        _registry = registry;
    }

    private RegistryTestClient Connect() => new(_registry, new RegistryOptions { TlsVerify = false });

    [Fact]
    public async Task Push_lists_referrer_under_referrers_tag()
    {
        using var client = Connect();
        var image = TestImage.Create();
        await client.PushAsync(image, "referrers/first", "1");
        byte[] content = Encoding.UTF8.GetBytes("""{"spdxVersion":"SPDX-2.3"}""");
        var annotations = new Dictionary<string, string> { ["org.opencontainers.image.created"] = "2024-01-01T00:00:00Z" };

        var result = await new ReferrerPusher(client.Client, client.Logger).PushAsync("referrers/first", image.Manifest.ToDescriptor(), SbomType, content, annotations, CancellationToken.None);

        string expectedTag = "sha256-" + image.Manifest.Digest.Encoded;
        Assert.Equal(expectedTag, result.ReferrersTag);
        var index = await ReadIndexAsync(client, "referrers/first", expectedTag);
        var listed = Assert.Single(index.Manifests);
        Assert.Equal(result.Referrer.Digest, listed.Digest);
        Assert.Equal(MediaTypes.OciManifest, listed.MediaType);
        Assert.Equal(SbomType, listed.ArtifactType);
        Assert.Equal("2024-01-01T00:00:00Z", listed.Annotations!["org.opencontainers.image.created"]);

        var referrer = OciJson.Deserialize<ImageManifest>((await client.Client.GetManifestAsync("referrers/first", result.Referrer.Digest.ToString(), CancellationToken.None)).Bytes, "referrer");
        Assert.Equal(SbomType, referrer.ArtifactType);
        Assert.Equal(MediaTypes.OciEmpty, referrer.Config.MediaType);
        Assert.Equal(2, referrer.Config.Size);
        Assert.Equal(image.Manifest.Digest, referrer.Subject!.Digest);
        Assert.Equal(content, await client.ReadBlobAsync("referrers/first", Assert.Single(referrer.Layers)));
    }

    [Fact]
    public async Task Second_referrer_is_appended_once()
    {
        using var client = Connect();
        var image = TestImage.Create();
        await client.PushAsync(image, "referrers/two", "1");
        var pusher = new ReferrerPusher(client.Client, client.Logger);
        var subject = image.Manifest.ToDescriptor();

        var sbom = await pusher.PushAsync("referrers/two", subject, SbomType, "sbom"u8.ToArray(), null, CancellationToken.None);
        var signature = await pusher.PushAsync("referrers/two", subject, SignatureType, "signature"u8.ToArray(), null, CancellationToken.None);
        await pusher.PushAsync("referrers/two", subject, SbomType, "sbom"u8.ToArray(), null, CancellationToken.None);

        var index = await ReadIndexAsync(client, "referrers/two", sbom.ReferrersTag!);
        Assert.Equal([sbom.Referrer.Digest, signature.Referrer.Digest], index.Manifests.Select(m => m.Digest));
        Assert.Equal([SbomType, SignatureType], index.Manifests.Select(m => m.ArtifactType));
    }

    [Fact]
    public async Task Tag_holding_image_is_left_alone()
    {
        using var client = Connect();
        var image = TestImage.Create();
        var other = TestImage.Create(layerCount: 1);
        string tag = ReferrerPusher.ReferrersTag(image.Manifest.Digest);
        await client.PushAsync(image, "referrers/taken", "1");
        await client.PushAsync(other, "referrers/taken", tag);

        var error = await Assert.ThrowsAsync<OciException>(() => new ReferrerPusher(client.Client, client.Logger)
            .PushAsync("referrers/taken", image.Manifest.ToDescriptor(), SbomType, "sbom"u8.ToArray(), null, CancellationToken.None));

        Assert.Equal(ErrorCodes.ReferrersTagInvalid, error.Code);
        Assert.Contains($"referrers/taken:{tag}", error.Message, StringComparison.Ordinal);
        var stillThere = await client.Client.GetManifestAsync("referrers/taken", tag, CancellationToken.None);
        Assert.Equal(other.Manifest.Digest, stillThere.Digest);
    }

    [Theory]
    [InlineData("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "sha256-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData(
        "sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "sha512-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Referrers_tag_truncates_encoded_part(string digest, string expected)
    {
        Assert.Equal(expected, ReferrerPusher.ReferrersTag(Digest.Parse(digest)));
    }

    private static async Task<ImageIndex> ReadIndexAsync(RegistryTestClient client, string repository, string tag)
    {
        var content = await client.Client.GetManifestAsync(repository, tag, CancellationToken.None);
        Assert.Equal(MediaTypes.OciIndex, content.MediaType);
        return OciJson.Deserialize<ImageIndex>(content.Bytes, "referrers index");
    }
}
