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

    /// <summary>The tag when there is one, else the digest: what a registry's manifests endpoint takes.</summary>
    public string TagOrDigest => Digest?.ToString() ?? Tag ?? DefaultTag;

    /// <summary>The host to reach: Docker Hub's API lives on another host than its name.</summary>
    public string RegistryEndpoint => Registry == DefaultRegistry ? "registry-1.docker.io" : Registry;

    /// <summary>The last path component of the repository, as used for container names.</summary>
    public string ShortName => Repository[(Repository.LastIndexOf('/') + 1)..];

    /// <summary>True for registries on this machine, which image tools allow to speak plain HTTP.</summary>
    public bool IsLoopbackRegistry
    {
        get
        {
            string host = Registry.StartsWith('[') ? Registry[..(Registry.IndexOf(']') + 1)] : Registry.Split(':')[0];
            return host is "localhost" or "[::1]" || host.StartsWith("127.", StringComparison.Ordinal);
        }
    }

    public static ImageReference Parse(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.Length == 0)
        {
            throw new InvalidReferenceException(reference, "the reference is empty");
        }

        if (reference.Trim() != reference || reference.Any(char.IsWhiteSpace))
        {
            throw new InvalidReferenceException(reference, "a reference contains no white space");
        }

        string remainder = reference;
        Digest? digest = null;
        int at = remainder.IndexOf('@');
        if (at >= 0)
        {
            string digestText = remainder[(at + 1)..];
            if (!Core.Digest.TryParse(digestText, out var parsed))
            {
                throw new InvalidReferenceException(reference, $"\"{digestText}\" is not a valid digest (expected sha256:<64 lowercase hex characters>)");
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

        (string registry, string repository) = SplitRegistry(reference, remainder);
        ValidateRepository(reference, repository);
        if (registry.Length + 1 + repository.Length > MaxNameLength)
        {
            throw new InvalidReferenceException(reference, $"the name is longer than {MaxNameLength} characters");
        }

        if (tag is null && digest is null)
        {
            tag = DefaultTag;
        }

        return new ImageReference(registry, repository, tag, digest);
    }

    public static bool TryParse(string reference, out ImageReference? result)
    {
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

    public ImageReference WithTag(string tag)
    {
        if (!TagPattern().IsMatch(tag))
        {
            throw new InvalidReferenceException($"{Name}:{tag}", $"invalid tag \"{tag}\": a tag has 1 to 128 characters from [A-Za-z0-9_.-] and does not start with '.' or '-'");
        }

        return new ImageReference(Registry, Repository, tag, null);
    }

    public ImageReference WithDigest(Digest digest) => new(Registry, Repository, null, digest);

    public ImageReference WithRegistry(string registry) => Parse($"{registry}/{Repository}:{Tag ?? DefaultTag}");

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
        bool isRegistry = first.Contains('.') || first.Contains(':') || first == "localhost" || first.Any(char.IsAsciiLetterUpper);
        if (!isRegistry)
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

    private static void ValidateRepository(string reference, string repository)
    {
        if (repository.Length == 0)
        {
            throw new InvalidReferenceException(reference, "the repository name is empty");
        }

        if (repository.Any(char.IsAsciiLetterUpper))
        {
            throw new InvalidReferenceException(reference, $"repository name \"{repository}\" must be lowercase");
        }

        foreach (string component in repository.Split('/'))
        {
            if (!PathComponentPattern().IsMatch(component))
            {
                throw new InvalidReferenceException(reference, $"invalid repository path component \"{component}\": use lowercase letters and digits, separated by '.', '_', '__' or '-'");
            }
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")]
    private static partial Regex PathComponentPattern();

    [GeneratedRegex(@"^(?:(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])(?:\.(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))*|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?$")]
    private static partial Regex RegistryPattern();
}
