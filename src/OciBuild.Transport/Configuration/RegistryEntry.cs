namespace OciBuild.Transport.Configuration;

/// <summary>
/// One <c>[[registry]]</c> table of registries.conf (containers-registries.conf(5), v2 format).
/// <see cref="Prefix"/> selects the references it applies to: <c>host[:port]</c>, <c>host/namespace</c>,
/// or <c>*.domain</c> for every subdomain; without a prefix in the file it equals <see cref="Location"/>.
/// </summary>
public sealed record RegistryEntry(string Prefix, string Location, bool Insecure, bool Blocked)
{
    /// <summary>Returns true when the entry applies to <paramref name="reference"/>, a registry name or a reference without tag.</summary>
    public bool Matches(string reference)
    {
        if (Prefix.StartsWith("*.", StringComparison.Ordinal))
        {
            int slash = reference.IndexOf('/');
            string host = slash < 0 ? reference : reference[..slash];
            return host.EndsWith(Prefix[1..], StringComparison.OrdinalIgnoreCase);
        }

        return reference.Equals(Prefix, StringComparison.OrdinalIgnoreCase)
               || (reference.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && reference[Prefix.Length] == '/');
    }
}
