using System.Text.Json.Serialization;

namespace OciBuild.Core;

/// <summary>
/// Serialization metadata for the OCI documents, generated at compile time. Reflection-based metadata is
/// built, and its code compiled, when a process first reads or writes a document, which delays the first
/// result of a fresh MSBuild task or CLI command. The options come from <see cref="OciJson.Options"/>,
/// which adds the encoder that attributes cannot set.
/// </summary>
[JsonSerializable(typeof(ImageManifest))]
[JsonSerializable(typeof(ImageIndex))]
[JsonSerializable(typeof(ImageConfig))]
[JsonSerializable(typeof(Descriptor))]
internal sealed partial class OciJsonContext : JsonSerializerContext
{
}
