using System.Text.Json.Serialization;

namespace OciBuild.Storage;

/// <summary>How a working container's rootfs is made from its image's layers.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RootfsKind>))]
public enum RootfsKind
{
    /// <summary>A folder with its own copy of every file: made where overlayfs cannot be mounted.</summary>
    Copy,

    /// <summary>
    /// An overlayfs mount: the cached layers as read-only lower directories and a per-container upper
    /// directory that receives every change, so a commit reads the changes straight from it.
    /// </summary>
    Overlay,
}
