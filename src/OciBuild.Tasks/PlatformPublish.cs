using OciBuild.Core;

namespace OciBuild.Tasks;

/// <summary>One runtime identifier's part of a multi-platform publish: what differs from one platform to the next.</summary>
public sealed record PlatformPublish
{
    public required string RuntimeIdentifier { get; init; }

    public required Platform Platform { get; init; }

    /// <summary>The publish folder of this runtime identifier's inner build.</summary>
    public required string PublishDirectory { get; init; }

    /// <summary>The base image; inference can differ per runtime identifier (linux-musl- gets the Alpine tag).</summary>
    public string? BaseImage { get; init; }

    public IReadOnlyDictionary<string, PublishFileKind> FileKinds { get; init; } = new Dictionary<string, PublishFileKind>();

    public string? LayerCacheDirectory { get; init; }

    public string? AppHostName { get; init; }

    public string? AssemblyFileName { get; init; }
}
