using System.Text.RegularExpressions;
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

    /// <summary><c>oci:DIR[:REF]</c>: an OCI image layout folder.</summary>
    OciLayout,

    /// <summary><c>oci-archive:FILE[:REF]</c>: a tar of an OCI image layout.</summary>
    OciArchive,

    /// <summary><c>docker-archive:FILE[:NAME:TAG|:@INDEX]</c>: the format of <c>docker save</c>.</summary>
    DockerArchive,

    /// <summary><c>dir:DIR</c>: skopeo's folder of a manifest and blobs named by digest.</summary>
    Directory,

    /// <summary><c>docker-daemon:NAME:TAG</c>: a Docker engine over its API socket.</summary>
    DockerDaemon,
}

/// <summary>
/// An image name with its transport, such as <c>docker://localhost:5000/app:1</c> or
/// <c>oci:/tmp/layout:1.0</c>. Path transports (<c>oci:</c>, <c>oci-archive:</c>,
/// <c>docker-archive:</c>, <c>dir:</c>) carry a <see cref="Path"/>; the others carry a <see cref="Reference"/>.
/// </summary>
public sealed partial record ImageLocation
{
    private const string DockerPrefix = "docker://";
    private const string StoragePrefix = "containers-storage:";

    private static readonly (string Prefix, TransportKind Kind)[] PathPrefixes =
    [
        ("oci:", TransportKind.OciLayout),
        ("oci-archive:", TransportKind.OciArchive),
        ("docker-archive:", TransportKind.DockerArchive),
        ("dir:", TransportKind.Directory),
    ];

    private const string DaemonPrefix = "docker-daemon:";

    private readonly ImageReference? _reference;

    /// <summary>Creates a location of a transport that names images by reference (registry, local store, daemon).</summary>
    public ImageLocation(TransportKind transport, ImageReference reference, string text)
    {
        Transport = transport;
        _reference = reference;
        Text = text;
    }

    private ImageLocation(TransportKind transport, ImageReference? reference, string text, string? path, string? layoutReference, Digest? imageId = null)
    {
        Transport = transport;
        _reference = reference;
        Text = text;
        Path = path;
        LayoutReference = layoutReference;
        ImageId = imageId;
    }

    public TransportKind Transport { get; init; }

    /// <summary>The part after the transport prefix, as the user wrote it.</summary>
    public string Text { get; init; }

    /// <summary>The folder or file of a path transport; null for the others.</summary>
    public string? Path { get; }

    /// <summary>
    /// The <c>org.opencontainers.image.ref.name</c> inside an <c>oci:</c> or <c>oci-archive:</c> location;
    /// null when none was given.
    /// </summary>
    public string? LayoutReference { get; }

    /// <summary>The image ID of <c>docker-daemon:sha256:HEX</c>, which names an image in the engine without a tag.</summary>
    public Digest? ImageId { get; }

    /// <summary>
    /// The zero-based position in the archive's manifest.json of <c>docker-archive:FILE:@INDEX</c>, which
    /// picks one image of a multi-image archive, tagged or not; null when none was given. Read-only.
    /// </summary>
    public int? ArchiveIndex { get; private init; }

    /// <summary>Whether <see cref="Reference"/> is set: false for <c>oci:</c>, <c>oci-archive:</c>, <c>dir:</c>, a docker-archive without a name and a daemon image ID.</summary>
    public bool HasReference => _reference is not null;

    /// <summary>The image reference; check <see cref="HasReference"/> first.</summary>
    /// <exception cref="InvalidOperationException">The location is a path or an image ID without a reference.</exception>
    public ImageReference Reference
    {
        get => _reference ?? throw new InvalidOperationException($"{this} names no image reference");
        init => _reference = value;
    }

    /// <summary>
    /// The tag to pass to <see cref="ImageCopier.CopyAsync"/> for this destination: the registry tag or
    /// digest, the layout's reference, the archive's or daemon's tag, or "" when the location names none.
    /// </summary>
    public string Tag => Transport switch
    {
        TransportKind.OciLayout or TransportKind.OciArchive => LayoutReference ?? "",
        TransportKind.Directory => "",
        _ when _reference is null => "",
        TransportKind.DockerArchive or TransportKind.DockerDaemon => _reference.Tag ?? ImageReference.DefaultTag,
        _ => _reference.TagOrDigest,
    };

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

        foreach (var (prefix, kind) in PathPrefixes)
        {
            if (text.StartsWith(prefix, StringComparison.Ordinal))
            {
                return ParsePathLocation(kind, prefix, text[prefix.Length..]);
            }
        }

        if (text.StartsWith(DaemonPrefix, StringComparison.Ordinal))
        {
            return ParseDaemonLocation(text[DaemonPrefix.Length..]);
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
        TransportKind.OciLayout => "oci:" + Text,
        TransportKind.OciArchive => "oci-archive:" + Text,
        TransportKind.DockerArchive => "docker-archive:" + Text,
        TransportKind.Directory => "dir:" + Text,
        TransportKind.DockerDaemon => DaemonPrefix + Text,
        _ => Text,
    };

    /// <summary>Splits <c>PATH[:REF]</c> at the first colon, so a path cannot contain a colon.</summary>
    private static ImageLocation ParsePathLocation(TransportKind kind, string prefix, string rest)
    {
        int colon = rest.IndexOf(':');
        string path = colon < 0 ? rest : rest[..colon];
        string? suffix = colon < 0 ? null : rest[(colon + 1)..];
        if (path.Length == 0)
        {
            throw new InvalidReferenceException(prefix + rest, $"{prefix} needs a path, such as {prefix}/tmp/image{(kind == TransportKind.Directory ? "" : ":1.0")}");
        }

        string fullPath = System.IO.Path.GetFullPath(path);
        switch (kind)
        {
            case TransportKind.Directory:
                if (suffix is not null)
                {
                    throw new InvalidReferenceException(prefix + rest, "dir: takes a path only, and a path cannot contain ':'");
                }

                return new ImageLocation(kind, null, rest, fullPath, null);

            case TransportKind.DockerArchive:
                if (string.IsNullOrEmpty(suffix))
                {
                    return new ImageLocation(kind, null, rest, fullPath, null);
                }

                if (suffix.StartsWith('@'))
                {
                    return new ImageLocation(kind, null, rest, fullPath, null) { ArchiveIndex = ParseArchiveIndex(prefix + rest, suffix[1..]) };
                }

                var named = ImageReference.Parse(suffix);
                if (named.Digest is not null)
                {
                    throw new InvalidReferenceException(prefix + rest, "a docker-archive name takes a tag, not a digest");
                }

                return new ImageLocation(kind, named, rest, fullPath, null);

            default:
                if (suffix is not null && !LayoutReferencePattern().IsMatch(suffix))
                {
                    throw new InvalidReferenceException(prefix + rest, $"\"{suffix}\" is not a valid image layout reference: use letters, digits and the separators - . _ : @ + / between them");
                }

                return new ImageLocation(kind, null, rest, fullPath, string.IsNullOrEmpty(suffix) ? null : suffix);
        }
    }

    // containers-transports(5) defines @INDEX as a zero-based index into the archive's manifest.json.
    private static int ParseArchiveIndex(string text, string digits)
    {
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit) || !int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index))
        {
            throw new InvalidReferenceException(text, $"\"@{digits}\" is not a valid archive index: write @0 for the first image of the archive, @1 for the second, and so on");
        }

        return index;
    }

    private static ImageLocation ParseDaemonLocation(string rest)
    {
        if (Digest.TryParse(rest, out var imageId))
        {
            return new ImageLocation(TransportKind.DockerDaemon, null, rest, null, null, imageId);
        }

        var reference = ImageReference.Parse(rest);
        if (reference.Digest is not null)
        {
            throw new InvalidReferenceException(DaemonPrefix + rest, "a docker-daemon name takes a tag, not a digest; to name an image by ID write docker-daemon:sha256:<64 hex>");
        }

        return new ImageLocation(TransportKind.DockerDaemon, reference, rest, null, null);
    }

    /// <summary>The grammar of <c>org.opencontainers.image.ref.name</c> in the OCI image-layout annotations spec.</summary>
    [GeneratedRegex("^[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*$")]
    private static partial Regex LayoutReferencePattern();
}
