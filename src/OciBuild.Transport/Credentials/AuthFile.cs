using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OciBuild.Core.Errors;
using OciBuild.Transport.Registry;

namespace OciBuild.Transport.Credentials;

/// <summary>
/// A credentials file in the containers-auth.json(5) format, which Docker's <c>config.json</c> shares:
/// <c>{"auths": {"host:port": {"auth": "base64(user:password)"}}, "credHelpers": {...}, "credsStore": "..."}</c>.
/// Keys other than these are kept as they are when the file is written back.
/// </summary>
public sealed class AuthFile
{
    private const UnixFileMode GroupAndOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly JsonObject _root;

    private AuthFile(string path, JsonObject root, UnixFileMode sharedPermissions = UnixFileMode.None)
    {
        Path = path;
        _root = root;
        SharedPermissions = sharedPermissions;
    }

    public string Path { get; }

    /// <summary>
    /// The group and other permission bits that the file had when it was loaded. <see cref="Save"/>
    /// always writes mode 0600, so a caller can warn that a shared file was made private.
    /// </summary>
    public UnixFileMode SharedPermissions { get; }

    /// <summary>Docker's global credential helper, the <c>NAME</c> of <c>docker-credential-NAME</c>.</summary>
    public string? CredentialsStore => _root["credsStore"] is JsonValue value && value.TryGetValue(out string? name) && name.Length > 0 ? name : null;

    /// <summary>Reads the file, or returns an empty one when it does not exist.</summary>
    public static AuthFile Load(string path)
    {
        if (!File.Exists(path))
        {
            return new AuthFile(path, new JsonObject());
        }

        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true });
            if (node is JsonObject root)
            {
                var shared = OperatingSystem.IsWindows() ? UnixFileMode.None : File.GetUnixFileMode(path) & GroupAndOther;
                return new AuthFile(path, root, shared);
            }
        }
        catch (JsonException e)
        {
            // The exception text may quote the file's content, which contains secrets, so only its position is kept.
            throw new OciException(ErrorCodes.CredentialsFileInvalid, $"credentials file {path} is not valid JSON (line {e.LineNumber + 1}); fix or remove it");
        }

        throw new OciException(ErrorCodes.CredentialsFileInvalid, $"credentials file {path} is not a JSON object; fix or remove it");
    }

    /// <summary>Returns the name of the credential helper that <c>credHelpers</c> assigns to <paramref name="registry"/>, if any.</summary>
    public string? GetCredentialHelper(string registry)
    {
        if (_root["credHelpers"] is not JsonObject helpers)
        {
            return null;
        }

        foreach (var (key, value) in helpers)
        {
            if (RegistryKey.Matches(key, registry) && value is JsonValue name && name.TryGetValue(out string? helper) && helper.Length > 0)
            {
                return helper;
            }
        }

        return null;
    }

    /// <summary>Returns the credentials stored in <c>auths</c> for <paramref name="registry"/>, or null when there is no usable entry.</summary>
    public RegistryCredentials? GetCredentials(string registry)
    {
        if (_root["auths"] is not JsonObject auths)
        {
            return null;
        }

        foreach (var (key, value) in auths)
        {
            if (!RegistryKey.Matches(key, registry) || value is not JsonObject entry)
            {
                continue;
            }

            // Docker's login stores an identity token instead of the password when the registry hands one out.
            if (entry["identitytoken"] is JsonValue identity && identity.TryGetValue(out string? token) && token.Length > 0)
            {
                return new RegistryCredentials(RegistryCredentials.IdentityTokenUserName, token) { Source = Path };
            }

            // An empty entry only marks a registry whose secret lives in a credential helper.
            if (entry["auth"] is JsonValue auth && auth.TryGetValue(out string? encoded) && encoded.Length > 0)
            {
                return Decode(encoded, key);
            }

            if (entry["username"] is JsonValue user && user.TryGetValue(out string? userName) && userName.Length > 0
                && entry["password"] is JsonValue password && password.TryGetValue(out string? secret))
            {
                return new RegistryCredentials(userName, secret) { Source = Path };
            }
        }

        return null;
    }

    /// <summary>Stores <paramref name="credentials"/> as the entry for <paramref name="registry"/>, replacing any entry with an equivalent key.</summary>
    public void SetCredentials(string registry, RegistryCredentials credentials)
    {
        RemoveCredentials(registry);
        var auths = _root["auths"] as JsonObject ?? new JsonObject();
        _root["auths"] = auths;
        string encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.UserName}:{credentials.Password}"));
        auths[registry] = new JsonObject { ["auth"] = encoded };
    }

    /// <summary>Removes every <c>auths</c> entry for <paramref name="registry"/>; returns false when there was none.</summary>
    public bool RemoveCredentials(string registry)
    {
        if (_root["auths"] is not JsonObject auths)
        {
            return false;
        }

        var keys = auths.Select(pair => pair.Key).Where(key => RegistryKey.Matches(key, registry)).ToList();
        foreach (string key in keys)
        {
            auths.Remove(key);
        }

        return keys.Count > 0;
    }

    /// <summary>Removes every <c>auths</c> entry; returns false when there was none.</summary>
    public bool RemoveAllCredentials()
    {
        if (_root["auths"] is not JsonObject auths || auths.Count == 0)
        {
            return false;
        }

        auths.Clear();
        return true;
    }

    /// <summary>
    /// Writes the file through a temporary file in the same folder, so that readers never see half of
    /// it. The file is created with mode 0600 because it contains passwords that are only encoded.
    /// </summary>
    public void Save()
    {
        string folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
        Directory.CreateDirectory(folder);
        string temporary = System.IO.Path.Combine(folder, $".{System.IO.Path.GetFileName(Path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                _root.WriteTo(writer);
            }

            File.Move(temporary, Path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private RegistryCredentials Decode(string encoded, string key)
    {
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
        }
        catch (FormatException)
        {
            throw new OciException(ErrorCodes.CredentialsFileInvalid, $"credentials file {Path}: the \"auth\" value of \"{key}\" is not valid base64; log in again");
        }

        int colon = text.IndexOf(':');
        if (colon <= 0)
        {
            throw new OciException(ErrorCodes.CredentialsFileInvalid, $"credentials file {Path}: the \"auth\" value of \"{key}\" is not base64 of USER:PASSWORD; log in again");
        }

        return new RegistryCredentials(text[..colon], text[(colon + 1)..]) { Source = Path };
    }
}
