using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using OciBuild.Core.Errors;
using static OciBuild.Core.Tests.TestDocuments;

namespace OciBuild.Core.Tests;

public class OciJsonTests
{
    private static ImageManifest NewManifest() => new()
    {
        MediaType = MediaTypes.OciManifest,
        Config = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = Digest.Parse(ConfigDigest), Size = 1471 },
        Layers =
        [
            new Descriptor { MediaType = MediaTypes.OciLayerGzip, Digest = Digest.Parse(Layer1Digest), Size = 3623807 },
        ],
        Annotations = new Dictionary<string, string> { ["org.opencontainers.image.description"] = "Zoë's <app> & tools" },
    };

    [Fact]
    public void Serialize_writes_same_bytes_twice()
    {
        var manifest = NewManifest();

        Assert.Equal(OciJson.Serialize(manifest), OciJson.Serialize(manifest));
    }

    [Fact]
    public void Serialize_of_parsed_output_is_unchanged()
    {
        byte[] first = OciJson.Serialize(NewManifest());

        byte[] second = OciJson.Serialize(OciJson.Deserialize<ImageManifest>(first, "manifest"));

        Assert.Equal(first, second);
    }

    [Fact]
    public void Serialize_config_is_stable_across_parses()
    {
        byte[] first = OciJson.Serialize(OciJson.Deserialize<ImageConfig>(Bytes(DockerConfig), "config"));

        byte[] second = OciJson.Serialize(OciJson.Deserialize<ImageConfig>(first, "config"));

        Assert.Equal(first, second);
    }

    [Fact]
    public void Serialize_writes_plus_in_media_types_unescaped()
    {
        string json = Encoding.UTF8.GetString(OciJson.Serialize(NewManifest()));

        Assert.Contains("\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"", json);
        Assert.Contains("\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\"", json);
        Assert.DoesNotContain("\\u002B", json, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Serialize_leaves_html_and_unicode_unescaped()
    {
        string json = Encoding.UTF8.GetString(OciJson.Serialize(NewManifest()));

        Assert.Contains("\"Zoë's <app> & tools\"", json);
    }

    [Fact]
    public void Serialize_is_compact_and_omits_nulls()
    {
        string json = Encoding.UTF8.GetString(OciJson.Serialize(NewManifest()));

        Assert.DoesNotContain("\n", json);
        Assert.DoesNotContain(": ", json);
        Assert.DoesNotContain("null", json);
        Assert.StartsWith("{\"schemaVersion\":2,\"mediaType\":", json);
    }

    [Fact]
    public void Deserialize_rejects_oversized_document_before_parsing()
    {
        // Not JSON at all: a parse attempt would fail with a syntax error instead of the size message.
        byte[] oversized = new byte[OciJson.MaxDocumentSize + 1];
        Array.Fill(oversized, (byte)'[');

        var error = Assert.Throws<OciException>(() => OciJson.Deserialize<ImageManifest>(oversized, "manifest of app:1"));

        Assert.Equal($"manifest of app:1 is {OciJson.MaxDocumentSize + 1} bytes, over the limit of {OciJson.MaxDocumentSize} bytes", error.Message);
        Assert.Null(error.InnerException);
        Assert.Equal(ErrorCodes.InvalidManifest, error.Code);
    }

    [Fact]
    public void Oversized_config_raises_config_code()
    {
        byte[] oversized = new byte[OciJson.MaxDocumentSize + 1];
        Array.Fill(oversized, (byte)' ');

        var error = Assert.Throws<OciException>(() => OciJson.Deserialize<ImageConfig>(oversized, "config"));

        Assert.Equal(ErrorCodes.InvalidConfig, error.Code);
    }

    [Fact]
    public void Deserialize_accepts_document_of_exactly_max_size()
    {
        byte[] json = Bytes(Compact(OciManifest));
        byte[] padded = new byte[OciJson.MaxDocumentSize];
        Array.Fill(padded, (byte)' ');
        json.CopyTo(padded, 0);

        var manifest = OciJson.Deserialize<ImageManifest>(padded, "manifest");

        Assert.Equal(2, manifest.Layers.Count);
    }

    [Theory]
    [InlineData("null", "is the JSON null")]
    [InlineData("", "is not valid JSON")]
    [InlineData("{\"schemaVersion\":2,", "is not valid JSON")]
    [InlineData("[]", "is not valid JSON")]
    public void Deserialize_raises_OciException_for_bad_document(string json, string expected)
    {
        var error = Assert.Throws<OciException>(() => OciJson.Deserialize<ImageIndex>(Bytes(json), "index of app:1"));

        Assert.StartsWith("index of app:1 ", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.Equal(ErrorCodes.InvalidManifest, error.Code);
    }

    [Theory]
    [InlineData(OciManifest, MediaTypes.OciManifest)]
    [InlineData(DockerManifest, MediaTypes.DockerManifest)]
    [InlineData(OciIndex, MediaTypes.OciIndex)]
    [InlineData("""{"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[]}""", MediaTypes.DockerManifestList)]
    [InlineData("""{"schemaVersion":2,"manifests":[]}""", MediaTypes.OciIndex)]
    [InlineData("""{"schemaVersion":2,"config":{},"layers":[]}""", MediaTypes.OciManifest)]
    [InlineData("""{"mediaType":"application/vnd.example.custom+json","config":{}}""", "application/vnd.example.custom+json")]
    [InlineData("""{"mediaType":42,"manifests":[]}""", MediaTypes.OciIndex)]
    public void PeekMediaType_reads_or_infers_media_type(string json, string expected)
    {
        Assert.Equal(expected, OciJson.PeekMediaType(Bytes(json)));
    }

    [Theory]
    [InlineData("""{"schemaVersion":2}""")]
    [InlineData("""{"schemaVersion":1,"name":"app","tag":"1","fsLayers":[]}""")]
    [InlineData("[]")]
    [InlineData("\"application/vnd.oci.image.index.v1+json\"")]
    [InlineData("{not json")]
    [InlineData("")]
    public void PeekMediaType_returns_null_when_unknown(string json)
    {
        Assert.Null(OciJson.PeekMediaType(Bytes(json)));
    }

    [Fact]
    public void Generated_metadata_writes_reflection_bytes()
    {
        // The same options with reflection-based metadata, as OciJson was before its generated context.
        var reflection = new JsonSerializerOptions(OciJson.Options) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        var manifest = OciJson.Deserialize<ImageManifest>(Bytes(OciManifest), "manifest");
        var dockerManifest = OciJson.Deserialize<ImageManifest>(Bytes(DockerManifest), "manifest");
        var index = OciJson.Deserialize<ImageIndex>(Bytes(OciIndex), "index");
        var config = OciJson.Deserialize<ImageConfig>(Bytes(DockerConfig), "config");

        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(manifest, reflection), OciJson.Serialize(manifest));
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(dockerManifest, reflection), OciJson.Serialize(dockerManifest));
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(index, reflection), OciJson.Serialize(index));
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(config, reflection), OciJson.Serialize(config));
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(NewManifest(), reflection), OciJson.Serialize(NewManifest()));
    }

    [Fact]
    public void Descriptor_unknown_fields_survive_round_trip()
    {
        const string json = """{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:2804bad6fe94a55f18b2b37e300919a5fd517b95aa81e95db574c0ba069a3740","size":3,"data":"YWJj","x-extra":{"a":[1,2]}}""";

        var descriptor = OciJson.Deserialize<Descriptor>(Bytes(json), "descriptor");

        Assert.NotNull(descriptor.ExtensionData);
        Assert.Equal(2, descriptor.ExtensionData!.Count);
        Assert.Equal(json, Encoding.UTF8.GetString(OciJson.Serialize(descriptor)));
    }
}
