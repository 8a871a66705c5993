using OciBuild.Core;

namespace OciBuild.Transport.Configuration;

/// <summary>
/// The fully qualified references to try, in order, for an image name without a registry such as
/// <c>app:1</c>, following containers-registries.conf(5): an <c>[aliases]</c> entry for the
/// repository is the only candidate; else each <c>unqualified-search-registries</c> entry in order;
/// else docker.io, where OciBuild has always resolved such names.
/// </summary>
/// <param name="References">The candidates in the order to try them.</param>
/// <param name="Alias">The alias that produced the only candidate, or null when the search list or docker.io did.</param>
public sealed record ShortNameCandidates(IReadOnlyList<ImageReference> References, string? Alias)
{
    /// <summary>Lists the candidates for <paramref name="shortName"/>, which must not name a registry.</summary>
    /// <exception cref="Core.Errors.InvalidReferenceException">The name, or an alias's target with its tag, is not a valid reference.</exception>
    public static ShortNameCandidates Resolve(string shortName, RegistriesConfiguration configuration)
    {
        var (repository, suffix) = Split(shortName);
        if (configuration.Aliases.TryGetValue(repository, out string? target))
        {
            return new ShortNameCandidates([ImageReference.Parse(target + suffix)], repository);
        }

        var registries = configuration.UnqualifiedSearchRegistries.Count > 0 ? configuration.UnqualifiedSearchRegistries : [ImageReference.DefaultRegistry];
        return new ShortNameCandidates(registries.Select(registry => ImageReference.Parse($"{registry}/{shortName}")).ToList(), Alias: null);
    }

    /// <summary>Splits <c>NAME[:TAG][@DIGEST]</c> into the repository and the rest, which keeps its ':' or '@'.</summary>
    private static (string Repository, string Suffix) Split(string shortName)
    {
        int end = shortName.IndexOf('@');
        string path = end < 0 ? shortName : shortName[..end];
        int colon = path.LastIndexOf(':');
        if (colon > path.LastIndexOf('/'))
        {
            end = colon;
        }

        return end < 0 ? (shortName, "") : (shortName[..end], shortName[end..]);
    }
}
