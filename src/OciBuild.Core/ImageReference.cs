using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text.RegularExpressions;
using OciBuild.Core.Errors;

namespace OciBuild.Core;

/// <summary>
/// A parsed and normalized image reference, following the distribution project's reference grammar:
/// <c>[registry/]repository[:tag][@digest]</c>. A name without a registry belongs to docker.io, and a
/// single-component docker.io repository lives under <c>library/</c>, so <c>helloecho</c> becomes
/// <c>docker.io/library/helloecho:latest</c>.
/// </summary>
public sealed partial record ImageReference
{
    public const string DefaultRegistry = "docker.io";
    public const string DefaultTag = "latest";
    private const int MaxNameLength = 255;

    private ImageReference(string registry, string repository, string? tag, Digest? digest)
    {
        Registry = registry;
        Repository = repository;
        Tag = tag;
        Digest = digest;
    }

    /// <summary>The registry host with an optional port, such as <c>docker.io</c> or <c>localhost:5000</c>.</summary>
    public string Registry { get; }

    /// <summary>The repository path inside the registry, such as <c>library/helloecho</c>.</summary>
    public string Repository { get; }

    /// <summary>The tag; null when the reference names a digest only.</summary>
    public string? Tag { get; }

    public Digest? Digest { get; }

    /// <summary>The registry and repository without tag or digest.</summary>
    public string Name => $"{Registry}/{Repository}";

    /// <summary>
    /// The digest when there is one, else the tag: what a registry's manifests endpoint takes. A digest
    /// wins over a tag because it names the exact content.
    /// </summary>
    public string TagOrDigest => Digest?.ToString() ?? Tag ?? DefaultTag;

    /// <summary>The host to reach: Docker Hub's API lives on another host than its name.</summary>
    public string RegistryEndpoint => Registry == DefaultRegistry ? "registry-1.docker.io" : Registry;

    /// <summary>The last path component of the repository, as used for container names.</summary>
    public string ShortName => Repository[(Repository.LastIndexOf('/') + 1)..];

    /// <summary>
    /// True for registries on this machine (localhost, 127.0.0.0/8 or ::1), which image tools allow to
    /// speak plain HTTP. A host name that only starts with "127." is not one.
    /// </summary>
    public bool IsLoopbackRegistry
    {
        get
        {
            string host = Registry.StartsWith('[') ? Registry[1..Registry.IndexOf(']')] : Registry.Split(':')[0];
            if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            return IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address);
        }
    }

    public static ImageReference Parse(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.Length == 0)
        {
            throw new InvalidReferenceException(reference, "the reference is empty");
        }

        if (reference.Any(char.IsWhiteSpace))
        {
            throw new InvalidReferenceException(reference, "a reference cannot contain white space");
        }

        // Docker's normalization rejects a bare image ID, which would otherwise pass as a repository name.
        if (ImageIdPattern().IsMatch(reference))
        {
            throw new InvalidReferenceException(reference, "a 64-character hex string is an image ID, not a repository name (to name content, write name@sha256:<id>)");
        }

        string remainder = reference;
        Digest? digest = null;
        int at = remainder.IndexOf('@');
        if (at >= 0)
        {
            string digestText = remainder[(at + 1)..];
            if (!Core.Digest.TryParse(digestText, out var parsed, out string digestError))
            {
                throw new InvalidReferenceException(reference, $"\"{digestText}\" is not a valid digest: {digestError}");
            }

            digest = parsed;
            remainder = remainder[..at];
        }

        string? tag = null;
        int lastSlash = remainder.LastIndexOf('/');
        int colon = remainder.LastIndexOf(':');
        if (colon > lastSlash)
        {
            tag = remainder[(colon + 1)..];
            remainder = remainder[..colon];
            if (tag.Length == 0)
            {
                throw new InvalidReferenceException(reference, "the tag after ':' is empty");
            }

            if (!TagPattern().IsMatch(tag))
            {
                throw new InvalidReferenceException(reference, $"invalid tag \"{tag}\": a tag has 1 to 128 characters from [A-Za-z0-9_.-] and does not start with '.' or '-'");
            }
        }

        if (remainder.Length == 0)
        {
            throw new InvalidReferenceException(reference, "there is no repository name before the tag or digest");
        }

        (string registry, string repository) = SplitRegistry(reference, remainder);
        ValidateRepository(reference, repository);

        // NOTE: the limit covers registry, '/' and repository, because the OCI distribution spec notes
        // that many clients limit that whole string to 255 characters. distribution/reference limits
        // only the repository path, so it accepts a few names that this rejects.
        int nameLength = registry.Length + 1 + repository.Length;
        if (nameLength > MaxNameLength)
        {
            throw new InvalidReferenceException(reference, $"the name \"{registry}/{repository}\" is {nameLength} characters long, over the maximum of {MaxNameLength}");
        }

        if (tag is null && digest is null)
        {
            tag = DefaultTag;
        }

        return new ImageReference(registry, repository, tag, digest);
    }

    /// <summary>Parses <paramref name="reference"/>, returning false for null or an invalid reference.</summary>
    public static bool TryParse([NotNullWhen(true)] string? reference, [NotNullWhen(true)] out ImageReference? result)
    {
        if (reference is null)
        {
            result = null;
            return false;
        }

        try
        {
            result = Parse(reference);
            return true;
        }
        catch (InvalidReferenceException)
        {
            result = null;
            return false;
        }
    }

    /// <summary>Returns whether <paramref name="tag"/> is a valid tag: 1 to 128 characters from [A-Za-z0-9_.-], not starting with '.' or '-'.</summary>
    public static bool IsValidTag(string tag) => TagPattern().IsMatch(tag);

    /// <summary>
    /// Returns this repository with <paramref name="tag"/> and no digest, so that a push to the result
    /// sets the tag instead of addressing the old digest.
    /// </summary>
    public ImageReference WithTag(string tag)
    {
        if (!TagPattern().IsMatch(tag))
        {
            throw new InvalidReferenceException($"{Name}:{tag}", $"invalid tag \"{tag}\": a tag has 1 to 128 characters from [A-Za-z0-9_.-] and does not start with '.' or '-'");
        }

        return new ImageReference(Registry, Repository, tag, null);
    }

    /// <summary>Returns this repository pinned to <paramref name="digest"/>, without the tag.</summary>
    public ImageReference WithDigest(Digest digest) => new(Registry, Repository, null, digest);

    /// <summary>
    /// Returns the same repository, tag and digest in <paramref name="registry"/>, normalized as
    /// <see cref="Parse"/> does (moving <c>app</c> to docker.io gives <c>library/app</c>).
    /// </summary>
    /// <exception cref="InvalidReferenceException">
    /// <paramref name="registry"/> is not a host with an optional port that the grammar reads as a registry.
    /// </exception>
    public ImageReference WithRegistry(string registry)
    {
        ArgumentNullException.ThrowIfNull(registry);

        // ToString() starts with Name, so what follows it is ":tag", "@digest" or both.
        string moved = registry + "/" + Repository + ToString()[Name.Length..];
        if (!IsRegistryComponent(registry) || !RegistryPattern().IsMatch(registry))
        {
            throw new InvalidReferenceException(moved, $"\"{registry}\" is not a registry: expected a host name with a '.' or a ':port', localhost, or an IP address");
        }

        return Parse(moved);
    }

    public override string ToString()
    {
        string text = Name;
        if (Tag is not null)
        {
            text += ":" + Tag;
        }

        if (Digest is not null)
        {
            text += "@" + Digest;
        }

        return text;
    }

    private static (string Registry, string Repository) SplitRegistry(string reference, string name)
    {
        int slash = name.IndexOf('/');
        if (slash < 0)
        {
            return (DefaultRegistry, "library/" + name);
        }

        string first = name[..slash];
        if (!IsRegistryComponent(first))
        {
            return (DefaultRegistry, name);
        }

        if (!RegistryPattern().IsMatch(first))
        {
            throw new InvalidReferenceException(reference, $"invalid registry \"{first}\": expected a host name or IP address with an optional :port");
        }

        string registry = first == "index.docker.io" ? DefaultRegistry : first;
        string repository = name[(slash + 1)..];
        if (registry == DefaultRegistry && !repository.Contains('/'))
        {
            repository = "library/" + repository;
        }

        return (registry, repository);
    }

    /// <summary>
    /// Tells whether the first component of a name is a registry, by Docker's rule: it contains '.' or
    /// ':', is localhost, or has an uppercase letter, which a repository path cannot have.
    /// </summary>
    private static bool IsRegistryComponent(string component)
        => component.Contains('.') || component.Contains(':') || component == "localhost" || component.Any(char.IsAsciiLetterUpper);

    private static void ValidateRepository(string reference, string repository)
    {
        if (repository.Length == 0)
        {
            throw new InvalidReferenceException(reference, "the repository name is empty");
        }

        if (repository.Any(char.IsAsciiLetterUpper))
        {
            // Name the repository as the user typed it, without the library/ that normalization added.
            string typed = repository.StartsWith("library/", StringComparison.Ordinal) && !reference.Contains("library/", StringComparison.Ordinal)
                ? repository["library/".Length..]
                : repository;
            throw new InvalidReferenceException(reference, $"repository name \"{typed}\" must be lowercase");
        }

        foreach (string component in repository.Split('/'))
        {
            if (component.Length == 0)
            {
                throw new InvalidReferenceException(reference, $"repository \"{repository}\" has an empty path component (look for '//' or a '/' at either end)");
            }

            if (!PathComponentPattern().IsMatch(component))
            {
                throw new InvalidReferenceException(reference, $"invalid repository path component \"{component}\": use lowercase letters and digits, separated by '.', '_', '__' or '-'");
            }
        }
    }

    // The patterns end in \z, not $, because $ also matches before a final line break.
    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\z")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*\z")]
    private static partial Regex PathComponentPattern();

    // An IPv6 host is hex digits and colons in brackets. Like distribution/reference, the pattern leaves
    // out zone identifiers and IPv4-mapped forms such as [::ffff:127.0.0.1].
    [GeneratedRegex(@"^(?:(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])(?:\.(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))*|\[[0-9A-Fa-f:]+\])(?::[0-9]+)?\z")]
    private static partial Regex RegistryPattern();

    [GeneratedRegex(@"^[a-f0-9]{64}\z")]
    private static partial Regex ImageIdPattern();
}
