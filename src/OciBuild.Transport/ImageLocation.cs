using OciBuild.Core;
using OciBuild.Core.Errors;

namespace OciBuild.Transport;

/// <summary>The transports an image name can carry, as in containers-transports(5).</summary>
public enum TransportKind
{
    /// <summary>No transport given: the local store first, then the registry.</summary>
    Unspecified,

    /// <summary><c>docker://</c>: a registry over the distribution API.</summary>
    Registry,

    /// <summary><c>containers-storage:</c>: the local store.</summary>
    LocalStore,
}

/// <summary>An image name with its transport, such as <c>docker://localhost:5000/app:1</c>.</summary>
public sealed record ImageLocation(TransportKind Transport, ImageReference Reference, string Text)
{
    private const string DockerPrefix = "docker://";
    private const string StoragePrefix = "containers-storage:";

    public static ImageLocation Parse(string text)
    {
        if (text.StartsWith(DockerPrefix, StringComparison.Ordinal))
        {
            return new ImageLocation(TransportKind.Registry, ImageReference.Parse(text[DockerPrefix.Length..]), text[DockerPrefix.Length..]);
        }

        if (text.StartsWith(StoragePrefix, StringComparison.Ordinal))
        {
            string name = text[StoragePrefix.Length..];
            return new ImageLocation(TransportKind.LocalStore, ParseLocalName(name), name);
        }

        int colon = text.IndexOf(':');
        if (colon > 0 && !text[..colon].Contains('/') && !text[..colon].Contains('.') && text[..colon] is "oci" or "oci-archive" or "docker-archive" or "dir" or "docker-daemon")
        {
            throw new OciException(ErrorCodes.InvalidReference, $"the {text[..colon]}: transport is not supported yet; use docker:// or containers-storage:");
        }

        return new ImageLocation(TransportKind.Unspecified, ImageReference.Parse(text), text);
    }

    /// <summary>Parses a local-store name; a name without a registry is taken as <c>localhost/NAME</c>.</summary>
    public static ImageReference ParseLocalName(string name)
    {
        var reference = ImageReference.Parse(name);
        return ImageReference.NamesRegistry(name) ? reference : ImageReference.Parse($"{Storage.LocalImageStore.LocalRegistry}/{name}");
    }

    public override string ToString() => Transport switch
    {
        TransportKind.Registry => DockerPrefix + Reference,
        TransportKind.LocalStore => StoragePrefix + Text,
        _ => Text,
    };
}
