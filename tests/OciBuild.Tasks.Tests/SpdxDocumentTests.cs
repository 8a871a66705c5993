using System.Text.Json;
using OciBuild.Core;
using OciBuild.Tasks.Sbom;

namespace OciBuild.Tasks.Tests;

/// <summary>The SPDX 2.3 document that describes an image and its NuGet packages.</summary>
public sealed class SpdxDocumentTests
{
    private static readonly Descriptor Image = new()
    {
        MediaType = MediaTypes.OciManifest,
        Digest = Digest.Parse("sha256:" + new string('a', 64)),
        Size = 1234,
    };

    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private static readonly NuGetPackage[] Packages =
    [
        new("Humanizer.Core", "2.14.1", null),
        new("Newtonsoft.Json", "13.0.3", new string('b', 128)),
    ];

    [Fact]
    public void Document_has_required_fields()
    {
        using var document = JsonDocument.Parse(SpdxDocument.Write("127.0.0.1:5000/team/app", Image, Created, Packages, "ocibuild-0.1.0"));
        var root = document.RootElement;

        Assert.Equal("SPDX-2.3", root.GetProperty("spdxVersion").GetString());
        Assert.Equal("CC0-1.0", root.GetProperty("dataLicense").GetString());
        Assert.Equal("SPDXRef-DOCUMENT", root.GetProperty("SPDXID").GetString());
        Assert.Equal($"127.0.0.1:5000/team/app@{Image.Digest}", root.GetProperty("name").GetString());
        Assert.StartsWith("urn:uuid:", root.GetProperty("documentNamespace").GetString(), StringComparison.Ordinal);
        Assert.Equal("2023-11-14T22:13:20Z", root.GetProperty("creationInfo").GetProperty("created").GetString());
        Assert.Equal(["Tool: ocibuild-0.1.0"], root.GetProperty("creationInfo").GetProperty("creators").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public void Packages_carry_purl_and_checksum()
    {
        using var document = JsonDocument.Parse(SpdxDocument.Write("127.0.0.1:5000/team/app", Image, Created, Packages, "ocibuild-0.1.0"));
        var packages = document.RootElement.GetProperty("packages").EnumerateArray().ToList();

        Assert.Equal(3, packages.Count);
        Assert.Equal("CONTAINER", packages[0].GetProperty("primaryPackagePurpose").GetString());
        Assert.Equal(
            $"pkg:oci/app@sha256%3A{new string('a', 64)}?repository_url=127.0.0.1%3A5000%2Fteam%2Fapp",
            packages[0].GetProperty("externalRefs")[0].GetProperty("referenceLocator").GetString());

        var newtonsoft = packages[2];
        Assert.Equal("Newtonsoft.Json", newtonsoft.GetProperty("name").GetString());
        Assert.Equal("13.0.3", newtonsoft.GetProperty("versionInfo").GetString());
        Assert.Equal("SPDXRef-NuGet-Newtonsoft.Json-13.0.3", newtonsoft.GetProperty("SPDXID").GetString());
        Assert.Equal("SHA512", newtonsoft.GetProperty("checksums")[0].GetProperty("algorithm").GetString());
        Assert.Equal(new string('b', 128), newtonsoft.GetProperty("checksums")[0].GetProperty("checksumValue").GetString());
        Assert.Equal("pkg:nuget/Newtonsoft.Json@13.0.3", newtonsoft.GetProperty("externalRefs")[0].GetProperty("referenceLocator").GetString());
        Assert.False(packages[1].TryGetProperty("checksums", out _), "a package without a hash in the assets file got a checksum");
    }

    [Fact]
    public void Relationships_link_image_to_packages()
    {
        using var document = JsonDocument.Parse(SpdxDocument.Write("127.0.0.1:5000/team/app", Image, Created, Packages, "ocibuild-0.1.0"));
        var relationships = document.RootElement.GetProperty("relationships").EnumerateArray()
            .Select(r => $"{r.GetProperty("spdxElementId").GetString()} {r.GetProperty("relationshipType").GetString()} {r.GetProperty("relatedSpdxElement").GetString()}")
            .ToList();

        Assert.Equal(
            [
                "SPDXRef-DOCUMENT DESCRIBES SPDXRef-Image",
                "SPDXRef-Image DEPENDS_ON SPDXRef-NuGet-Humanizer.Core-2.14.1",
                "SPDXRef-Image DEPENDS_ON SPDXRef-NuGet-Newtonsoft.Json-13.0.3",
            ],
            relationships);
    }

    [Fact]
    public void Same_image_gives_same_bytes()
    {
        byte[] first = SpdxDocument.Write("127.0.0.1:5000/team/app", Image, Created, Packages, "ocibuild-0.1.0");
        byte[] second = SpdxDocument.Write("127.0.0.1:5000/team/app", Image, Created, Packages, "ocibuild-0.1.0");
        byte[] otherImage = SpdxDocument.Write("127.0.0.1:5000/team/app", Image with { Digest = Digest.Parse("sha256:" + new string('c', 64)) }, Created, Packages, "ocibuild-0.1.0");

        Assert.Equal(first, second);
        Assert.NotEqual(
            SpdxDocument.DocumentNamespace("127.0.0.1:5000/team/app", Image.Digest),
            SpdxDocument.DocumentNamespace("127.0.0.1:5000/team/app", Digest.Parse("sha256:" + new string('c', 64))));
        Assert.NotEqual(first, otherImage);
    }

    [Theory]
    [InlineData("Some_Package", "1.0.0-beta+1", "SPDXRef-NuGet-Some-Package-1.0.0-beta-1")]
    [InlineData("A.B", "2.0.0", "SPDXRef-NuGet-A.B-2.0.0")]
    public void Package_id_uses_allowed_characters(string id, string version, string expected)
    {
        Assert.Equal(expected, SpdxDocument.PackageId(new NuGetPackage(id, version, null)));
    }

    [Fact]
    public void Namespace_is_version_8_uuid()
    {
        string urn = SpdxDocument.DocumentNamespace("r/a", Image.Digest);

        var uuid = Guid.Parse(urn["urn:uuid:".Length..]);
        Assert.Equal('8', urn["urn:uuid:".Length + 14]);
        Assert.Contains(urn["urn:uuid:".Length + 19], "89ab");
        Assert.NotEqual(Guid.Empty, uuid);
    }
}
