using System.Security.Cryptography;
using System.Text.Json;

namespace OciBuild.IntegrationTests;

/// <summary>
/// The SPDX SBOM that registry publishes attach as an OCI referrer. Debian's docker-registry has no
/// referrers API, so the SBOM is found through the referrers tag sha256-HEX, read with skopeo and curl.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed class SbomPublishTests
{
    private const string NewtonsoftVersion = "13.0.4";

    private readonly TestBed _bed;

    public SbomPublishTests(TestBed bed)
    {
        _bed = bed;
    }

    [Fact]
    public async Task Sbom_referrer_names_package()
    {
        string project = WriteProjectWithPackage();
        var publish = await _bed.PublishProjectAsync(project, _bed.RegistryProperties("sbom-on"), TestBed.EpochEnvironment());
        Assert.True(publish.ExitCode == 0, publish.ToString());
        string digest = await Skopeo.DigestAsync($"{_bed.Registry.Address}/sbom-on:latest");

        var index = await Skopeo.ManifestAsync($"{_bed.Registry.Address}/sbom-on:{ReferrersTag(digest)}");
        var listed = Assert.Single(index.GetProperty("manifests").EnumerateArray());
        string referrerDigest = listed.GetProperty("digest").GetString()!;
        var referrer = await Skopeo.ManifestAsync($"{_bed.Registry.Address}/sbom-on@{referrerDigest}");
        var layer = Assert.Single(referrer.GetProperty("layers").EnumerateArray());
        using var sbom = JsonDocument.Parse(await FetchBlobAsync("sbom-on", layer.GetProperty("digest").GetString()!));
        var packages = sbom.RootElement.GetProperty("packages").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);

        Assert.Equal("application/vnd.oci.image.index.v1+json", index.GetProperty("mediaType").GetString());
        Assert.Equal("application/spdx+json", listed.GetProperty("artifactType").GetString());
        Assert.Equal("application/spdx+json", referrer.GetProperty("artifactType").GetString());
        Assert.Equal("application/vnd.oci.empty.v1+json", referrer.GetProperty("config").GetProperty("mediaType").GetString());
        Assert.Equal(digest, referrer.GetProperty("subject").GetProperty("digest").GetString());
        Assert.Equal("application/spdx+json", layer.GetProperty("mediaType").GetString());

        Assert.Equal("SPDX-2.3", sbom.RootElement.GetProperty("spdxVersion").GetString());
        Assert.Equal("2023-11-14T22:13:20Z", sbom.RootElement.GetProperty("creationInfo").GetProperty("created").GetString());
        var newtonsoft = packages["Newtonsoft.Json"];
        Assert.Equal(NewtonsoftVersion, newtonsoft.GetProperty("versionInfo").GetString());
        Assert.Equal($"pkg:nuget/Newtonsoft.Json@{NewtonsoftVersion}", newtonsoft.GetProperty("externalRefs")[0].GetProperty("referenceLocator").GetString());
        Assert.Equal(ContentHash("newtonsoft.json", NewtonsoftVersion), newtonsoft.GetProperty("checksums")[0].GetProperty("checksumValue").GetString());

        // OciBuild.Tasks is not signed, so NuGet's content hash is the SHA-512 of the .nupkg file itself.
        string tasksPackage = Path.Combine(RepositoryPaths.Packages, "OciBuild.Tasks.0.1.0.nupkg");
        Assert.Equal(
            Convert.ToHexString(SHA512.HashData(File.ReadAllBytes(tasksPackage))).ToLowerInvariant(),
            packages["OciBuild.Tasks"].GetProperty("checksums")[0].GetProperty("checksumValue").GetString());
    }

    [Fact]
    public async Task Sbom_is_reproducible_and_listed_once()
    {
        string project = WriteProjectWithPackage();
        var first = await _bed.PublishProjectAsync(project, _bed.RegistryProperties("sbom-again"), TestBed.EpochEnvironment());
        // OciForce pushes again although nothing changed, so that the referrer is offered a second time.
        var second = await _bed.PublishProjectAsync(project, [.. _bed.RegistryProperties("sbom-again"), "OciForce=true"], TestBed.EpochEnvironment(), verbosity: "normal");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        string digest = await Skopeo.DigestAsync($"{_bed.Registry.Address}/sbom-again:latest");

        var index = await Skopeo.ManifestAsync($"{_bed.Registry.Address}/sbom-again:{ReferrersTag(digest)}");

        Assert.Single(index.GetProperty("manifests").EnumerateArray());
        Assert.Contains("already lists", second.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sbom_false_pushes_no_referrer()
    {
        string project = WriteProjectWithPackage();
        var publish = await _bed.PublishProjectAsync(project, [.. _bed.RegistryProperties("sbom-off"), "OciSbom=false"], TestBed.EpochEnvironment());
        Assert.True(publish.ExitCode == 0, publish.ToString());

        var tags = await ProcessRunner.RunCheckedAsync("skopeo", ["list-tags", "--tls-verify=false", $"docker://{_bed.Registry.Address}/sbom-off"]);
        using var list = JsonDocument.Parse(tags.StandardOutput);

        Assert.Equal(["latest"], list.RootElement.GetProperty("Tags").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task Sbom_true_for_local_store_warns()
    {
        string project = WriteProjectWithPackage();
        string store = _bed.NewDirectory("sbom-store");

        var publish = await _bed.PublishProjectAsync(project, [$"OciLocalStore={store}", "OciTlsVerify=false", $"OciBaseImage={_bed.BaseImage}", "OciSbom=true"], TestBed.EpochEnvironment());
        var images = await _bed.OcibuildAsync(store, "images");

        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.Contains("warning", publish.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("the SBOM is attached only to images pushed to a registry", publish.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("localhost/sbomsample:latest", images.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_sbom_setting_fails_with_code()
    {
        var publish = await _bed.PublishAsync([.. _bed.RegistryProperties("sbom-invalid"), "OciSbom=yes"], TestBed.EpochEnvironment());

        Assert.NotEqual(0, publish.ExitCode);
        Assert.Contains("error OCIB7122", publish.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("OciSbom=\"yes\"", publish.StandardOutput, StringComparison.Ordinal);
    }

    // The referrers tag of OCI distribution 1.1: the digest with ':' replaced by '-'.
    private static string ReferrersTag(string digest) => digest.Replace(':', '-');

    private string WriteProjectWithPackage() => _bed.WriteProject("SbomSample", $"""
          <ItemGroup>
            <PackageReference Include="Newtonsoft.Json" Version="{NewtonsoftVersion}" />
          </ItemGroup>
        """);

    /// <summary>Returns NuGet's content hash of a restored package as hex, from the .nupkg.metadata file NuGet writes beside it.</summary>
    private string ContentHash(string lowercaseId, string version)
    {
        string metadata = Path.Combine(_bed.NuGetPackages, lowercaseId, version, ".nupkg.metadata");
        using var document = JsonDocument.Parse(File.ReadAllText(metadata));
        return Convert.ToHexString(Convert.FromBase64String(document.RootElement.GetProperty("contentHash").GetString()!)).ToLowerInvariant();
    }

    private async Task<string> FetchBlobAsync(string repository, string digest)
    {
        var result = await ProcessRunner.RunCheckedAsync("curl", ["--silent", "--show-error", "--fail", $"http://{_bed.Registry.Address}/v2/{repository}/blobs/{digest}"]);
        return result.StandardOutput;
    }
}
