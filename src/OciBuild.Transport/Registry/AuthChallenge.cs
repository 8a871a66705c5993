namespace OciBuild.Transport.Registry;

/// <summary>A parsed <c>WWW-Authenticate</c> challenge: the scheme and its parameters (RFC 7235).</summary>
public sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public string? Realm => Parameters.GetValueOrDefault("realm");

    public string? Service => Parameters.GetValueOrDefault("service");

    public static AuthChallenge? Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        header = header.Trim();
        int space = header.IndexOf(' ');
        string scheme = space < 0 ? header : header[..space];
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        int position = space < 0 ? header.Length : space + 1;
        while (position < header.Length)
        {
            int equals = header.IndexOf('=', position);
            if (equals < 0)
            {
                break;
            }

            string name = header[position..equals].Trim().TrimStart(',').Trim();
            position = equals + 1;

            // RFC 7235 allows white space on both sides of '=', so a quoted value may start after it.
            while (position < header.Length && header[position] is ' ' or '\t')
            {
                position++;
            }

            string value;
            if (position < header.Length && header[position] == '"')
            {
                // A quoted string may contain commas (scope lists do), so read up to the closing quote.
                var builder = new System.Text.StringBuilder();
                position++;
                while (position < header.Length && header[position] != '"')
                {
                    if (header[position] == '\\' && position + 1 < header.Length)
                    {
                        position++;
                    }

                    builder.Append(header[position]);
                    position++;
                }

                value = builder.ToString();
                position++;
            }
            else
            {
                int comma = header.IndexOf(',', position);
                int end = comma < 0 ? header.Length : comma;
                value = header[position..end].Trim();
                position = end;
            }

            parameters[name] = value;
            while (position < header.Length && (header[position] == ',' || header[position] == ' '))
            {
                position++;
            }
        }

        return new AuthChallenge(scheme, parameters);
    }
}
