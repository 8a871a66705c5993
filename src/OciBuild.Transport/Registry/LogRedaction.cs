namespace OciBuild.Transport.Registry;

/// <summary>Makes URLs safe for logs: user information and the values of query parameters that may be secrets are replaced.</summary>
internal static class LogRedaction
{
    public const string Mask = "REDACTED";

    // Parameters of the distribution API that name content, never a secret. Everything else, such as an
    // upload's _state or a presigned storage URL's signature, is masked.
    private static readonly HashSet<string> PublicParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        "digest", "mount", "from", "n", "last", "service", "scope",
    };

    public static string Redact(Uri uri)
    {
        if (!uri.IsAbsoluteUri)
        {
            return uri.OriginalString;
        }

        string text = uri.GetLeftPart(UriPartial.Path);
        if (uri.UserInfo.Length > 0)
        {
            text = text.Replace(uri.UserInfo + "@", Mask + "@", StringComparison.Ordinal);
        }

        if (uri.Query.Length <= 1)
        {
            return text;
        }

        var parameters = uri.Query[1..].Split('&').Select(parameter =>
        {
            int equals = parameter.IndexOf('=');
            if (equals < 0)
            {
                return parameter;
            }

            string name = parameter[..equals];
            return PublicParameters.Contains(Uri.UnescapeDataString(name)) ? parameter : name + "=" + Mask;
        });
        return text + "?" + string.Join("&", parameters);
    }
}
