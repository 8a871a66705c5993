using System.Text;
using System.Text.Json.Nodes;
using OciBuild.Core.Errors;
using static OciBuild.Core.Tests.TestDocuments;

namespace OciBuild.Core.Tests;

/// <summary>Documents at the edges of what registries serve: minimal, null-filled, huge and deeply nested.</summary>
public class JsonHardeningTests
{
    [Fact]
    public void Config_with_huge_label_set_round_trips()
    {
        var labels = new JsonObject();
        for (int i = 0; i < 60_000; i++)
        {
            labels[$"org.example.label.{i:D6}"] = $"value {i} <&> ü";
        }

        var document = new JsonObject { ["architecture"] = "amd64", ["os"] = "linux", ["config"] = new JsonObject { ["Labels"] = labels } };
        byte[] json = Encoding.UTF8.GetBytes(document.ToJsonString());

        var config = OciJson.Deserialize<ImageConfig>(json, "config");
        var reparsed = OciJson.Deserialize<ImageConfig>(OciJson.Serialize(config), "config");

        Assert.True(json.Length > 2 * 1024 * 1024, $"the document is only {json.Length} bytes");
        Assert.Equal(60_000, reparsed.Config!.Labels!.Count);
        Assert.Equal("value 59999 <&> ü", reparsed.Config.Labels["org.example.label.059999"]);
        Assert.Equal(config.Config!.Labels, reparsed.Config.Labels);
    }

    [Fact]
    public void Config_with_labels_over_limit_is_rejected()
    {
        var labels = new JsonObject();
        for (int i = 0; i < 120_000; i++)
        {
            labels[$"org.example.label.{i:D6}"] = $"value {i}";
        }

        byte[] json = Encoding.UTF8.GetBytes(new JsonObject { ["config"] = new JsonObject { ["Labels"] = labels } }.ToJsonString());

        var error = Assert.Throws<OciException>(() => OciJson.Deserialize<ImageConfig>(json, "config of app:1"));

        Assert.Equal(ErrorCodes.InvalidConfig, error.Code);
        Assert.Contains($"over the limit of {OciJson.MaxDocumentSize} bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Minimal_config_reads_with_empty_rootfs()
    {
        var config = OciJson.Deserialize<ImageConfig>("""{"architecture":"arm64","os":"linux"}"""u8, "config");

        Assert.Equal("arm64", config.Architecture);
        Assert.Null(config.Config);
        Assert.Null(config.History);
        Assert.Empty(config.RootFs.DiffIds);
        Assert.Equal("""{"architecture":"arm64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}""", Encoding.UTF8.GetString(OciJson.Serialize(config)));
    }

    [Fact]
    public void Config_with_null_container_fields_reads()
    {
        const string json = """{"architecture":"amd64","os":"linux","config":{"Labels":null,"Env":null,"Cmd":null,"ExposedPorts":null,"Volumes":null,"User":null}}""";

        var config = OciJson.Deserialize<ImageConfig>(Encoding.UTF8.GetBytes(json), "config");

        Assert.NotNull(config.Config);
        Assert.Null(config.Config.Labels);
        Assert.Null(config.Config.Env);
        Assert.Null(config.Config.ExposedPorts);
        Assert.Null(config.Config.GetEnvironmentVariable("PATH"));
    }

    [Fact]
    public void Manifest_with_null_optional_fields_reads()
    {
        string json = $$"""{"schemaVersion":2,"mediaType":null,"config":{"mediaType":"{{MediaTypes.OciConfig}}","digest":"{{ConfigDigest}}","size":7,"urls":null,"annotations":null,"platform":null},"layers":null,"subject":null,"annotations":null}""";

        var manifest = OciJson.Deserialize<ImageManifest>(Encoding.UTF8.GetBytes(json), "manifest");

        Assert.Null(manifest.MediaType);
        Assert.Null(manifest.Annotations);
        Assert.Null(manifest.Config.Urls);
        Assert.Empty(manifest.Layers);
        Assert.Equal(
            $$"""{"schemaVersion":2,"config":{"mediaType":"{{MediaTypes.OciConfig}}","digest":"{{ConfigDigest}}","size":7},"layers":[]}""",
            Encoding.UTF8.GetString(OciJson.Serialize(manifest)));
    }

    [Fact]
    public void Index_keeps_unknown_fields()
    {
        string json = $$$"""{"schemaVersion":2,"manifests":[{"mediaType":"{{{MediaTypes.OciManifest}}}","digest":"{{{Amd64Digest}}}","size":9,"io.example.entry":[1,{"a":null}]}],"io.example.top":{"nested":true}}""";

        var index = OciJson.Deserialize<ImageIndex>(Encoding.UTF8.GetBytes(json), "index");

        Assert.Equal(json, Encoding.UTF8.GetString(OciJson.Serialize(index)));
        Assert.True(index.ExtensionData!["io.example.top"].GetProperty("nested").GetBoolean());
    }

    [Fact]
    public void Deeply_nested_unknown_field_is_rejected()
    {
        string nested = new string('[', 10_000) + new string(']', 10_000);
        string json = $$"""{"schemaVersion":2,"config":{"mediaType":"{{MediaTypes.OciConfig}}","digest":"{{ConfigDigest}}","size":7},"io.example.deep":{{nested}}}""";

        var error = Assert.Throws<OciException>(() => OciJson.Deserialize<ImageManifest>(Encoding.UTF8.GetBytes(json), "manifest"));

        Assert.Equal(ErrorCodes.InvalidManifest, error.Code);
        Assert.Contains("manifest is not valid JSON for its type", error.Message, StringComparison.Ordinal);
    }
}
