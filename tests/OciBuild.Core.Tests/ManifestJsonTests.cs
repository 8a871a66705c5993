using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static OciBuild.Core.Tests.TestDocuments;

namespace OciBuild.Core.Tests;

public class ManifestJsonTests
{
    [Fact]
    public void OciManifest_reads_config_and_layers()
    {
        var manifest = OciJson.Deserialize<ImageManifest>(Bytes(OciManifest), "manifest");

        Assert.Equal(2, manifest.SchemaVersion);
        Assert.Equal(MediaTypes.OciManifest, manifest.MediaType);
        Assert.Equal(ConfigDigest, manifest.Config.Digest.ToString());
        Assert.Equal(1471, manifest.Config.Size);
        Assert.Equal([Layer1Digest, Layer2Digest], manifest.Layers.Select(l => l.Digest.ToString()));
        Assert.Equal(3623807, manifest.Layers[0].Size);
        Assert.Equal("app.tar.gz", manifest.Layers[1].Annotations?["org.opencontainers.image.title"]);
        Assert.Equal("docker.io/library/alpine:3.19", manifest.Annotations?["org.opencontainers.image.base.name"]);
    }

    [Fact]
    public void OciManifest_keeps_unknown_fields()
    {
        var manifest = OciJson.Deserialize<ImageManifest>(Bytes(OciManifest), "manifest");

        Assert.Equal("ocibuild-test", manifest.ExtensionData?["io.example.vendor"].GetProperty("builder").GetString());
        Assert.Equal("H4sIAAAAAAAA/wAAAP//AQAA//8AAAAAAAAAAA==", manifest.Layers[1].ExtensionData?["data"].GetString());
    }

    [Fact]
    public void OciManifest_round_trips_byte_for_byte()
    {
        var manifest = OciJson.Deserialize<ImageManifest>(Bytes(OciManifest), "manifest");

        string written = Encoding.UTF8.GetString(OciJson.Serialize(manifest));

        Assert.Equal(Compact(OciManifest), written);
    }

    [Fact]
    public void DockerManifest_reads_foreign_layer_urls()
    {
        var manifest = OciJson.Deserialize<ImageManifest>(Bytes(DockerManifest), "manifest");

        Assert.Equal(MediaTypes.DockerManifest, manifest.MediaType);
        Assert.Equal(MediaTypes.DockerConfig, manifest.Config.MediaType);
        Assert.Equal(3, manifest.Layers.Count);
        Assert.Equal(MediaTypes.DockerForeignLayerGzip, manifest.Layers[0].MediaType);
        Assert.Equal(1718332879, manifest.Layers[0].Size);
        Assert.Equal($"https://mcr.microsoft.com/v2/windows/servercore/blobs/{Layer1Digest}", Assert.Single(manifest.Layers[0].Urls!));
        Assert.True(manifest.Layers.All(l => MediaTypes.IsGzipLayer(l.MediaType)));
    }

    [Fact]
    public void DockerManifest_round_trip_keeps_every_field()
    {
        var manifest = OciJson.Deserialize<ImageManifest>(Bytes(DockerManifest), "manifest");

        byte[] written = OciJson.Serialize(manifest);

        Assert.True(JsonNode.DeepEquals(Node(DockerManifest), Node(written)), Encoding.UTF8.GetString(written));
    }

    [Fact]
    public void OciIndex_reads_platforms()
    {
        var index = OciJson.Deserialize<ImageIndex>(Bytes(OciIndex), "index");

        Assert.Equal(MediaTypes.OciIndex, index.MediaType);
        Assert.Equal(6, index.Manifests.Count);
        Assert.Equal(
            ["linux/amd64", "linux/arm64/v8", "linux/arm/v7", "linux/arm/v6", "windows/amd64", "unknown/unknown"],
            index.Manifests.Select(m => m.Platform?.ToString()));
        Assert.Equal("10.0.20348.2227", index.Manifests[4].Platform?.OsVersion);
        Assert.Equal(["win32k"], index.Manifests[4].Platform?.OsFeatures ?? []);
        Assert.Equal("attestation-manifest", index.Manifests[5].Annotations?["vnd.docker.reference.type"]);
    }

    [Fact]
    public void OciIndex_round_trips_byte_for_byte()
    {
        var index = OciJson.Deserialize<ImageIndex>(Bytes(OciIndex), "index");

        string written = Encoding.UTF8.GetString(OciJson.Serialize(index));

        Assert.Equal(Compact(OciIndex), written);
    }

    [Fact]
    public void Manifest_with_null_layers_reads_as_empty()
    {
        // Go's encoding/json writes a nil slice as null, so a manifest without layers may carry "layers": null.
        string json = $$"""{"schemaVersion":2,"config":{"mediaType":"{{MediaTypes.OciConfig}}","digest":"{{ConfigDigest}}","size":2},"layers":null}""";

        var manifest = OciJson.Deserialize<ImageManifest>(Bytes(json), "manifest");

        Assert.NotNull(manifest.Layers);
        Assert.Empty(manifest.Layers);
    }

    [Fact]
    public void Manifest_without_layers_reads_as_empty()
    {
        string json = $$$"""{"schemaVersion":2,"config":{"mediaType":"{{{MediaTypes.OciConfig}}}","digest":"{{{ConfigDigest}}}","size":2}}""";

        var manifest = OciJson.Deserialize<ImageManifest>(Bytes(json), "manifest");

        Assert.Empty(manifest.Layers);
    }

    [Fact]
    public void Index_with_null_manifests_reads_as_empty()
    {
        const string json = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":null}""";

        var index = OciJson.Deserialize<ImageIndex>(Bytes(json), "index");

        Assert.NotNull(index.Manifests);
        Assert.Empty(index.Manifests);
    }

    [Fact]
    public void Manifest_without_config_raises_OciException()
    {
        const string json = """{"schemaVersion":2,"layers":[]}""";

        var error = Assert.Throws<Errors.OciException>(() => OciJson.Deserialize<ImageManifest>(Bytes(json), "manifest of app:1"));

        Assert.Equal(Errors.ErrorCodes.InvalidManifest, error.Code);
        Assert.Contains("config", error.Message);
        Assert.IsType<JsonException>(error.InnerException);
    }

    [Fact]
    public void Descriptor_without_size_raises_OciException()
    {
        string json = $$"""{"schemaVersion":2,"config":{"mediaType":"{{MediaTypes.OciConfig}}","digest":"{{ConfigDigest}}"},"layers":[]}""";

        var error = Assert.Throws<Errors.OciException>(() => OciJson.Deserialize<ImageManifest>(Bytes(json), "manifest"));

        Assert.Contains("size", error.Message);
    }
}
