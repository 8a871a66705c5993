using OciBuild.Core.Errors;

namespace OciBuild.Transport.Registry;

/// <summary>A user name and password (or token) for one registry. <see cref="ToString"/> never shows the password.</summary>
public sealed record RegistryCredentials(string UserName, string Password)
{
    /// <summary>
    /// The user name that Docker's credential helper protocol uses when the secret is an identity token: an
    /// OAuth2 refresh token that only the registry's token service accepts.
    /// </summary>
    public const string IdentityTokenUserName = "<token>";

    /// <summary>Parses <c>user:password</c>, as <c>--creds</c> and <c>OciCreds</c> take it; the password may contain colons.</summary>
    public static RegistryCredentials Parse(string value)
    {
        int colon = value.IndexOf(':');
        if (colon <= 0)
        {
            // Never echo the value: it may be a password typed without its user name.
            string missing = colon < 0 ? "the ':' between user name and password is missing" : "the user name before ':' is missing";
            throw new OciException(ErrorCodes.InvalidCredentials, $"credentials must have the form USER:PASSWORD, but {missing}; pass --creds USER:PASSWORD or OciCreds=USER:PASSWORD");
        }

        return new RegistryCredentials(value[..colon], value[(colon + 1)..]);
    }

    /// <summary>Where the credentials came from, such as a file path, for messages; null for explicit ones.</summary>
    public string? Source { get; init; }

    /// <summary>True when <see cref="Password"/> is an identity token rather than a password.</summary>
    public bool IsIdentityToken => UserName == IdentityTokenUserName;

    public override string ToString() => $"{UserName}:***";
}
