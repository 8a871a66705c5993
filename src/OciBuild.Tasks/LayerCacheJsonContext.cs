using System.Text.Json.Serialization;

namespace OciBuild.Tasks;

/// <summary>
/// Compile-time JSON metadata for the layer cache's entries, which every publish reads before its first
/// layer result, so that a fresh MSBuild process builds no reflection-based metadata for them.
/// </summary>
[JsonSerializable(typeof(LayerCache.CachedLayer))]
internal sealed partial class LayerCacheJsonContext : JsonSerializerContext
{
}
