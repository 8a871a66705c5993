using static OciBuild.Core.Tests.TestDocuments;

namespace OciBuild.Core.Tests;

public class ImageIndexTests
{
    private static readonly ImageIndex Index = OciJson.Deserialize<ImageIndex>(Bytes(OciIndex), "index");

    private static Descriptor Entry(string digest, string os, string architecture, string? variant = null) => new()
    {
        MediaType = MediaTypes.OciManifest,
        Digest = Digest.Parse(digest),
        Size = 1010,
        Platform = new Platform { Os = os, Architecture = architecture, Variant = variant },
    };

    [Theory]
    [InlineData("linux", "amd64", null, Amd64Digest)]
    [InlineData("linux", "arm64", "v8", Arm64Digest)]
    [InlineData("linux", "arm", "v7", ArmV7Digest)]
    [InlineData("linux", "arm", "v6", ArmV6Digest)]
    [InlineData("windows", "amd64", null, WindowsDigest)]
    public void FindManifest_matches_os_architecture_and_variant(string os, string architecture, string? variant, string expected)
    {
        var found = Index.FindManifest(new Platform { Os = os, Architecture = architecture, Variant = variant });

        Assert.Equal(expected, found?.Digest.ToString());
    }

    [Fact]
    public void FindManifest_accepts_variant_when_request_has_none()
    {
        var found = Index.FindManifest(new Platform { Os = "linux", Architecture = "arm64" });

        Assert.Equal(Arm64Digest, found?.Digest.ToString());
    }

    [Fact]
    public void FindManifest_accepts_entry_without_variant()
    {
        var found = Index.FindManifest(new Platform { Os = "linux", Architecture = "amd64", Variant = "v3" });

        Assert.Equal(Amd64Digest, found?.Digest.ToString());
    }

    [Fact]
    public void FindManifest_prefers_exact_variant_over_later_position()
    {
        var index = new ImageIndex
        {
            Manifests = [Entry(ArmV6Digest, "linux", "arm", "v6"), Entry(Amd64Digest, "linux", "arm"), Entry(ArmV7Digest, "linux", "arm", "v7")],
        };

        var found = index.FindManifest(new Platform { Os = "linux", Architecture = "arm", Variant = "v7" });

        Assert.Equal(ArmV7Digest, found?.Digest.ToString());
    }

    [Theory]
    [InlineData("linux", "s390x", null)]
    [InlineData("linux", "arm", "v5")]
    [InlineData("darwin", "arm64", null)]
    [InlineData("linux", "arm64", "v9")]
    public void FindManifest_returns_null_without_match(string os, string architecture, string? variant)
    {
        Assert.Null(Index.FindManifest(new Platform { Os = os, Architecture = architecture, Variant = variant }));
    }

    [Fact]
    public void FindManifest_skips_entries_without_platform()
    {
        var index = new ImageIndex
        {
            Manifests = [Entry(Amd64Digest, "linux", "amd64") with { Platform = null }],
        };

        Assert.Null(index.FindManifest(new Platform { Os = "linux", Architecture = "amd64" }));
    }
}
