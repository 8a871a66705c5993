using System.Text.Json;
using System.Text.Json.Serialization;

namespace OciBuild.Core;

/// <summary>
/// An image configuration (OCI image spec, config.md). Mutable on purpose: an image builder starts
/// from the base image's config and changes it step by step. Unknown fields survive a round trip.
/// </summary>
public sealed class ImageConfig
{
    [JsonPropertyName("created")]
    public DateTimeOffset? Created { get; set; }

    [JsonPropertyName("author")]
    public string? Author { get; set; }

    [JsonPropertyName("architecture")]
    public string Architecture { get; set; } = "amd64";

    [JsonPropertyName("os")]
    public string Os { get; set; } = "linux";

    [JsonPropertyName("os.version")]
    public string? OsVersion { get; set; }

    [JsonPropertyName("variant")]
    public string? Variant { get; set; }

    [JsonPropertyName("config")]
    public ContainerConfig? Config { get; set; }

    /// <summary>The root file system's layer list. Setting null, or reading JSON null, gives an empty one.</summary>
    [JsonPropertyName("rootfs")]
    public RootFs RootFs { get; set => field = value ?? new(); } = new();

    [JsonPropertyName("history")]
    public List<HistoryEntry>? History { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }

    /// <summary>The platform this config declares. Derived from the fields above, so it is not written to JSON.</summary>
    [JsonIgnore]
    public Platform Platform => new() { Architecture = Architecture, Os = Os, OsVersion = OsVersion, Variant = Variant };
}

/// <summary>The execution parameters of a container made from the image (the config's <c>config</c> object).</summary>
public sealed class ContainerConfig
{
    [JsonPropertyName("User")]
    public string? User { get; set; }

    /// <summary>Ports as <c>port/protocol</c> keys; the values are empty objects in the spec.</summary>
    [JsonPropertyName("ExposedPorts")]
    public Dictionary<string, JsonElement>? ExposedPorts { get; set; }

    /// <summary>Environment as <c>NAME=value</c> strings, in order.</summary>
    [JsonPropertyName("Env")]
    public List<string>? Env { get; set; }

    [JsonPropertyName("Entrypoint")]
    public List<string>? Entrypoint { get; set; }

    [JsonPropertyName("Cmd")]
    public List<string>? Cmd { get; set; }

    [JsonPropertyName("Volumes")]
    public Dictionary<string, JsonElement>? Volumes { get; set; }

    [JsonPropertyName("WorkingDir")]
    public string? WorkingDir { get; set; }

    [JsonPropertyName("Labels")]
    public Dictionary<string, string>? Labels { get; set; }

    [JsonPropertyName("StopSignal")]
    public string? StopSignal { get; set; }

    [JsonPropertyName("ArgsEscaped")]
    public bool? ArgsEscaped { get; set; }

    /// <summary>Docker's health check and other fields the OCI spec does not define are kept as they came.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }

    /// <summary>
    /// Sets <paramref name="name"/> in <see cref="Env"/>. The first entry for the name is replaced in place
    /// and later entries for it are removed, so that <see cref="GetEnvironmentVariable"/> returns the new value.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or contains '='.</exception>
    public void SetEnvironmentVariable(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('='))
        {
            throw new ArgumentException($"environment variable name \"{name}\" contains '='", nameof(name));
        }

        Env ??= [];
        string entry = $"{name}={value}";
        int index = Env.FindIndex(e => IsEntryFor(e, name));
        if (index < 0)
        {
            Env.Add(entry);
            return;
        }

        Env[index] = entry;
        int later = index + 1;
        while (later < Env.Count)
        {
            if (IsEntryFor(Env[later], name))
            {
                Env.RemoveAt(later);
            }
            else
            {
                later++;
            }
        }
    }

    /// <summary>Returns the value of the last <c>name=value</c> entry for <paramref name="name"/>, or null when there is none.</summary>
    public string? GetEnvironmentVariable(string name)
    {
        string prefix = name + "=";
        return Env?.LastOrDefault(e => e.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];
    }

    /// <summary>Tells whether <paramref name="entry"/> is <c>name=value</c> or the bare <c>name</c>.</summary>
    private static bool IsEntryFor(string entry, string name)
        => entry.StartsWith(name, StringComparison.Ordinal) && (entry.Length == name.Length || entry[name.Length] == '=');
}

/// <summary>The layers' uncompressed digests (diff IDs), in order from bottom to top.</summary>
public sealed class RootFs
{
    [JsonPropertyName("type")]
    public string Type { get; set; } = "layers";

    /// <summary>The diff IDs, bottom layer first. Setting null, or reading JSON null, gives an empty list.</summary>
    [JsonPropertyName("diff_ids")]
    public List<Digest> DiffIds { get; set => field = value ?? []; } = [];

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}

/// <summary>One step of how the image was built. <see cref="EmptyLayer"/> marks steps that added no layer.</summary>
public sealed class HistoryEntry
{
    [JsonPropertyName("created")]
    public DateTimeOffset? Created { get; set; }

    [JsonPropertyName("created_by")]
    public string? CreatedBy { get; set; }

    [JsonPropertyName("author")]
    public string? Author { get; set; }

    [JsonPropertyName("comment")]
    public string? Comment { get; set; }

    [JsonPropertyName("empty_layer")]
    public bool? EmptyLayer { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? ExtensionData { get; set; }
}
