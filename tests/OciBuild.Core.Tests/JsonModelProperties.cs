using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using static OciBuild.Core.Tests.ReferenceGenerators;

namespace OciBuild.Core.Tests;

/// <summary>
/// Generated manifests and configs, with optional fields left out or null and unknown fields added,
/// round-trip through <see cref="OciJson"/> keeping what they contain.
/// </summary>
public class JsonModelProperties
{
    private const string TextAlphabet = "aZ9 ._-/:+<>&'\"\\\u0001\u007féü日\u00A0";
    private const string UnknownFieldPrefix = "vnd.test.";

    [Property(MaxTest = 300)]
    public Property Manifest_round_trip_keeps_fields() => Prop.ForAll(Manifest().ToArbitrary(), document =>
    {
        var manifest = OciJson.Deserialize<ImageManifest>(Utf8(document), "manifest");
        byte[] written = OciJson.Serialize(manifest);
        var output = JsonNode.Parse(written)!.AsObject();

        Assert.Equal(written, OciJson.Serialize(OciJson.Deserialize<ImageManifest>(written, "manifest")));
        AssertUnknownFieldsKept(document, output);
        AssertUnknownFieldsKept(document["config"]!.AsObject(), output["config"]!.AsObject());
        var layers = document["layers"] as JsonArray ?? [];
        Assert.Equal(layers.Count, manifest.Layers.Count);
        for (int i = 0; i < layers.Count; i++)
        {
            Assert.Equal((string?)layers[i]!["digest"], manifest.Layers[i].Digest.ToString());
            AssertUnknownFieldsKept(layers[i]!.AsObject(), output["layers"]![i]!.AsObject());
        }

        if (document["annotations"] is JsonObject annotations)
        {
            Assert.True(JsonNode.DeepEquals(annotations, output["annotations"]));
        }
    });

    [Property(MaxTest = 200)]
    public Property Config_round_trip_keeps_fields() => Prop.ForAll(Config().ToArbitrary(), document =>
    {
        var config = OciJson.Deserialize<ImageConfig>(Utf8(document), "config");
        byte[] written = OciJson.Serialize(config);
        var output = JsonNode.Parse(written)!.AsObject();

        Assert.Equal(written, OciJson.Serialize(OciJson.Deserialize<ImageConfig>(written, "config")));
        AssertUnknownFieldsKept(document, output);
        if (document["config"] is JsonObject containerConfig)
        {
            AssertUnknownFieldsKept(containerConfig, output["config"]!.AsObject());
            if (containerConfig["Labels"] is JsonObject labels)
            {
                Assert.Equal(labels.Count, config.Config!.Labels!.Count);
                Assert.True(JsonNode.DeepEquals(labels, output["config"]!["Labels"]));
            }

            if (containerConfig["Env"] is JsonArray env)
            {
                Assert.Equal(env.Select(e => (string)e!), config.Config!.Env!);
            }
        }

        var diffIds = document["rootfs"]!["diff_ids"] as JsonArray ?? [];
        Assert.Equal(diffIds.Select(d => (string)d!), config.RootFs.DiffIds.Select(d => d.ToString()));
    });

    private static byte[] Utf8(JsonNode document) => JsonSerializer.SerializeToUtf8Bytes(document);

    // Each unknown field comes back with an equal value, and one whose value is JSON null stays too.
    private static void AssertUnknownFieldsKept(JsonObject input, JsonObject output)
    {
        foreach (var (name, value) in input.Where(p => p.Key.StartsWith(UnknownFieldPrefix, StringComparison.Ordinal)))
        {
            Assert.True(output.ContainsKey(name), $"unknown field \"{name}\" is missing after the round trip");
            Assert.True(JsonNode.DeepEquals(value, output[name]), $"unknown field \"{name}\" changed: {value?.ToJsonString()} became {output[name]?.ToJsonString()}");
        }
    }

    private static Gen<string> Text(int maxLength) => StringOf(TextAlphabet, 0, maxLength);

    private static Gen<JsonNode?> AnyJson(int depth)
    {
        var scalar = Gen.OneOf(
            Gen.Constant<JsonNode?>(null),
            Gen.Elements(true, false).Select(b => (JsonNode?)JsonValue.Create(b)),
            Gen.Choose(int.MinValue, int.MaxValue).Select(n => (JsonNode?)JsonValue.Create(n)),
            Gen.Choose(-1000, 1000).Select(n => (JsonNode?)JsonValue.Create(n / 8.0)),
            Text(20).Select(s => (JsonNode?)JsonValue.Create(s)));
        if (depth == 0)
        {
            return scalar;
        }

        var array = from count in Gen.Choose(0, 3)
                    from items in Gen.ListOf(AnyJson(depth - 1), count)
                    select (JsonNode?)new JsonArray(items.ToArray());
        var obj = from count in Gen.Choose(0, 3)
                  from keys in Gen.ListOf(Text(8), count)
                  from values in Gen.ListOf(AnyJson(depth - 1), count)
                  select (JsonNode?)new JsonObject(keys.Distinct().Zip(values, (k, v) => KeyValuePair.Create(k, (JsonNode?)v)));
        return Gen.OneOf(scalar, scalar, array, obj);
    }

    /// <summary>Adds 0 to 3 fields that no model property maps to.</summary>
    private static Gen<JsonObject> WithUnknownFields(Gen<JsonObject> objects)
        => from obj in objects
           from count in Gen.Choose(0, 3)
           from names in Gen.ListOf(Text(10), count)
           from values in Gen.ListOf(AnyJson(2), count)
           select AddFields(obj, names.Distinct().Select(n => UnknownFieldPrefix + n).Zip(values));

    private static JsonObject AddFields(JsonObject obj, IEnumerable<(string Name, JsonNode? Value)> fields)
    {
        foreach (var (name, value) in fields)
        {
            obj[name] = value;
        }

        return obj;
    }

    private static Gen<JsonNode?> Optional(Gen<JsonNode?> value) => Gen.OneOf(Gen.Constant<JsonNode?>(null), value);

    private static Gen<JsonObject?> StringMap(int maxCount)
        => Gen.OneOf(
            Gen.Constant<JsonObject?>(null),
            from count in Gen.Choose(0, maxCount)
            from keys in Gen.ListOf(Text(12), count)
            from values in Gen.ListOf(Text(30), count)
            select (JsonObject?)new JsonObject(keys.Distinct().Zip(values, (k, v) => KeyValuePair.Create(k, (JsonNode?)JsonValue.Create(v)))));

    private static Gen<JsonObject> Descriptor(string mediaType)
        => WithUnknownFields(
            from digest in Sha256Digest()
            from size in Gen.Choose(0, int.MaxValue)
            from annotations in StringMap(3)
            select SetOptional(
                new JsonObject { ["mediaType"] = mediaType, ["digest"] = digest.ToString(), ["size"] = size },
                "annotations",
                annotations));

    private static Gen<JsonObject> Manifest()
        => WithUnknownFields(
            from config in Descriptor(MediaTypes.OciConfig)
            from layerCount in Gen.Choose(0, 5)
            from layers in Gen.ListOf(Descriptor(MediaTypes.OciLayerGzip), layerCount)
            from layersForm in Gen.Elements("list", "null", "missing")
            from withMediaType in Gen.Elements(true, false)
            from annotations in StringMap(5)
            let manifest = new JsonObject { ["schemaVersion"] = 2, ["config"] = config }
            select SetOptional(
                SetOptional(
                    SetOptional(manifest, "mediaType", withMediaType ? JsonValue.Create(MediaTypes.OciManifest) : null),
                    "layers",
                    layersForm switch
                    {
                        "list" => new JsonArray(layers.ToArray<JsonNode?>()),
                        "null" => JsonValue.Create((string?)null),
                        _ => null,
                    },
                    keepNull: layersForm == "null"),
                "annotations",
                annotations));

    private static Gen<JsonObject> Config()
    {
        var stringList = from form in Gen.Elements("list", "null", "missing")
                         from count in Gen.Choose(0, 4)
                         from items in Gen.ListOf(Text(16), count)
                         select (form, (JsonNode?)new JsonArray(items.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray()));
        var containerConfig = WithUnknownFields(
            from labels in StringMap(200)
            from env in stringList
            from cmd in stringList
            select SetList(SetList(SetOptional(new JsonObject(), "Labels", labels), "Env", env), "Cmd", cmd));
        var history = from count in Gen.Choose(0, 3)
                      from entries in Gen.ListOf(WithUnknownFields(Text(20).Select(t => new JsonObject { ["created_by"] = t })), count)
                      select (JsonNode?)new JsonArray(entries.ToArray<JsonNode?>());

        return WithUnknownFields(
            from config in Optional(containerConfig.Select(c => (JsonNode?)c))
            from diffIdCount in Gen.Choose(0, 4)
            from diffIds in Gen.ListOf(Sha256Digest(), diffIdCount)
            from historyEntries in Optional(history)
            select SetOptional(
                SetOptional(
                    new JsonObject
                    {
                        ["architecture"] = "amd64",
                        ["os"] = "linux",
                        ["rootfs"] = new JsonObject
                        {
                            ["type"] = "layers",
                            ["diff_ids"] = new JsonArray(diffIds.Select(d => (JsonNode?)JsonValue.Create(d.ToString())).ToArray()),
                        },
                    },
                    "config",
                    config),
                "history",
                historyEntries));
    }

    private static JsonObject SetOptional(JsonObject obj, string name, JsonNode? value, bool keepNull = false)
    {
        if (value is not null || keepNull)
        {
            obj[name] = value;
        }

        return obj;
    }

    private static JsonObject SetList(JsonObject obj, string name, (string Form, JsonNode? List) list) => list.Form switch
    {
        "list" => SetOptional(obj, name, list.List),
        "null" => SetOptional(obj, name, null, keepNull: true),
        _ => obj,
    };
}
