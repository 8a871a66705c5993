using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using OciBuild.Core.Errors;

namespace OciBuild.Core;

/// <summary>
/// Reads and writes the OCI JSON documents. Output is compact, omits null fields and keeps property
/// order fixed by the model, so equal documents give equal bytes and therefore equal digests.
/// </summary>
public static class OciJson
{
    /// <summary>Largest manifest, index or config accepted, as registries cap manifests at 4 MiB.</summary>
    public const int MaxDocumentSize = 4 * 1024 * 1024;

    public static readonly JsonSerializerOptions Options = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Keep '<', '>' and '+' as they are: media types contain '+', and escaping it changes the bytes other tools write.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
        // The model's types use compile-time metadata. Other types written with these options, such as the
        // store's container list, still get reflection-based metadata.
        TypeInfoResolver = JsonTypeInfoResolver.Combine(new OciJsonContext(), new DefaultJsonTypeInfoResolver()),
    };

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    /// <summary>Parses <paramref name="json"/>, raising an <see cref="OciException"/> that names <paramref name="what"/>.</summary>
    public static T Deserialize<T>(ReadOnlySpan<byte> json, string what)
    {
        string code = typeof(T) == typeof(ImageConfig) ? ErrorCodes.InvalidConfig : ErrorCodes.InvalidManifest;
        if (json.Length > MaxDocumentSize)
        {
            throw new OciException(code, $"{what} is {json.Length} bytes, over the limit of {MaxDocumentSize} bytes");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(json, Options)
                   ?? throw new OciException(code, $"{what} is the JSON null");
        }
        catch (JsonException e)
        {
            // A message thrown by one of our converters does not name the field, so add the path here.
            string location = e.Path is null || e.Message.Contains(e.Path, StringComparison.Ordinal) ? "" : $" (at {e.Path})";
            throw new OciException(code, $"{what} is not valid JSON for its type: {e.Message}{location}", e);
        }
    }

    /// <summary>Reads only the top-level <c>mediaType</c> field, which tells a manifest from an index.</summary>
    public static string? PeekMediaType(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (document.RootElement.TryGetProperty("mediaType", out var mediaType) && mediaType.ValueKind == JsonValueKind.String)
                {
                    return mediaType.GetString();
                }

                // An OCI manifest may omit mediaType; its shape still tells which document it is.
                if (document.RootElement.TryGetProperty("manifests", out _))
                {
                    return MediaTypes.OciIndex;
                }

                if (document.RootElement.TryGetProperty("config", out _))
                {
                    return MediaTypes.OciManifest;
                }
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }
}
